import { quoteValue } from './quote-value';

/**
 * Kubernetes name rules. Namespaces (and our tenant names) are DNS-1123 labels; Service names are
 * DNS-1035 labels because they become DNS host names that must not look like numbers.
 */
const DNS_LABEL_MAX_LENGTH = 63;
const DNS_SUBDOMAIN_MAX_LENGTH = 253;

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const DNS1123_LABEL_RULE =
  "must consist of lower case alphanumeric characters or '-', start and end with an alphanumeric character (DNS-1123 label, at most 63 characters)";
const DNS1035_LABEL_RULE =
  "must consist of lower case alphanumeric characters or '-', start with a letter and end with an alphanumeric character (DNS-1035 label, at most 63 characters)";
const DNS1123_SUBDOMAIN_RULE =
  "must consist of lower case alphanumeric characters, '-' or '.', start and end with an alphanumeric character (DNS-1123 subdomain, at most 253 characters)";

export function isDns1123Label(value: string): boolean {
  return value.length <= DNS_LABEL_MAX_LENGTH && DNS1123_LABEL.test(value);
}

export function isDns1035Label(value: string): boolean {
  return value.length <= DNS_LABEL_MAX_LENGTH && DNS1035_LABEL.test(value);
}

/** The form of Secret and ConfigMap names. */
export function isDns1123Subdomain(value: string): boolean {
  return value.length <= DNS_SUBDOMAIN_MAX_LENGTH && DNS1123_SUBDOMAIN.test(value);
}

/**
 * Why `value` is not a DNS-1123 label, as a sentence naming `what` it was meant to be
 * (e.g. "namespace"), or undefined when it is valid.
 */
export function dns1123LabelError(value: string, what: string): string | undefined {
  return nameError(value, what, { valid: DNS1123_LABEL, maxLength: DNS_LABEL_MAX_LENGTH, rule: DNS1123_LABEL_RULE });
}

/** Like dns1123LabelError, for DNS-1035 labels (Service names). */
export function dns1035LabelError(value: string, what: string): string | undefined {
  return nameError(value, what, { valid: DNS1035_LABEL, maxLength: DNS_LABEL_MAX_LENGTH, rule: DNS1035_LABEL_RULE });
}

/** Like dns1123LabelError, for DNS-1123 subdomains (Secret and ConfigMap names). */
export function dns1123SubdomainError(value: string, what: string): string | undefined {
  return nameError(value, what, {
    valid: DNS1123_SUBDOMAIN,
    maxLength: DNS_SUBDOMAIN_MAX_LENGTH,
    rule: DNS1123_SUBDOMAIN_RULE,
  });
}

interface NameRule {
  readonly valid: RegExp;
  readonly maxLength: number;
  readonly rule: string;
}

function nameError(value: string, what: string, { valid, maxLength, rule }: NameRule): string | undefined {
  const invalid = `${quoteValue(value)} is not a valid ${what}`;
  if (value === '') return `${invalid}: must not be empty`;
  // A too-long name that is otherwise fine gets the precise reason, not the whole rule.
  if (valid.test(value)) {
    return value.length <= maxLength ? undefined : `${invalid}: must be at most ${maxLength} characters (it has ${value.length})`;
  }
  return `${invalid}: ${rule}`;
}
