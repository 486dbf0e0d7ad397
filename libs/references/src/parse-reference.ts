import { dns1035LabelError, dns1123LabelError } from './dns-names';
import type { ObjectRef } from './object-ref';
import { quoteValue } from './quote-value';

/** Either a resolved reference or the reason the value is not one; never both. */
export type ReferenceParseResult =
  | { readonly ref: ObjectRef; readonly error?: undefined }
  | { readonly ref?: undefined; readonly error: string };

const SHAPE = 'a reference is name or namespace/name';

/**
 * Parses a Service reference, `name` or `namespace/name`; a bare name resolves to
 * `defaultNamespace`. Nothing is trimmed: vCluster does not trim either, so " web" would name a
 * different (invalid) Service there, and silently accepting it here would hide that.
 */
export function parseReference(value: unknown, defaultNamespace: string): ReferenceParseResult {
  if (typeof value !== 'string') return { error: `must be a string (name or namespace/name), got ${describeValue(value)}` };
  if (value === '') return { error: `is empty; ${SHAPE}` };
  const quoted = quoteValue(value);
  if (value.trim() !== value) return { error: `${quoted} has leading or trailing whitespace` };
  const parts = value.split('/');
  if (parts.length > 2) return { error: `${quoted} has ${parts.length} parts; ${SHAPE}` };
  const name = parts[parts.length - 1];
  const namespace = parts.length === 2 ? parts[0] : undefined;
  if (namespace === '') return { error: `${quoted} has an empty namespace; ${SHAPE}` };
  if (name === '') return { error: `${quoted} has an empty name; ${SHAPE}` };
  const error =
    (namespace === undefined ? undefined : dns1123LabelError(namespace, 'namespace')) ??
    dns1035LabelError(name, 'service name');
  if (error !== undefined) return { error };
  return { ref: { namespace: namespace ?? defaultNamespace, name } };
}

/** A short description of a value of the wrong type, for messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${quoteValue(value)}`;
  return `${typeof value} ${String(value)}`;
}
