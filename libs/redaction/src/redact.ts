/** The longest text one message keeps in any output; the rest is cut, saying how much was. */
export const MAX_TEXT_LENGTH = 2_000;

const REDACTED = '[redacted]';

/**
 * What a credential looks like in text that found its way into an error: kubeconfigs (YAML, or the
 * JSON client-node exports), HTTP headers, Secrets' base64 data. Applied in this order: a PEM block
 * first (its base64 body would otherwise be cut into runs), and long runs last.
 */
const RULES: readonly (readonly [RegExp, string])[] = [
  // Private keys and certificates, whole, or cut off by a snippet.
  [/-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(?:-----END [A-Z0-9 ]+-----|$)/g, '[redacted PEM block]'],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
  // A password in a URL's user info: redis://user:secret@host, rediss://:secret@host.
  [/\b([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^@\s/]+@/gi, `$1:${REDACTED}@`],
  // A credential's key and its value (quoted or not), in YAML, JSON or key=value form.
  [
    /(["']?\b(?:token|id-token|refresh-token|access-token|client-key-data|client-certificate-data|certificate-authority-data|password|client-secret|tokenFile)["']?\s*[:=]\s*)("[^"]*"?|'[^']*'?|[^\s,}\]]+)/gi,
    `$1${REDACTED}`,
  ],
  // JSON Web Tokens (ServiceAccount tokens).
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, '[redacted token]'],
  // Long base64 runs: Secret data, key material. Names, hashes in names and ids are shorter.
  [/[A-Za-z0-9+/]{48,}={0,2}/g, '[redacted data]'],
];

/**
 * The one helper every output goes through (logs, status records, config checks, the queue's
 * failure reasons, traces): credentials are replaced, and a huge value (a 5 MB name echoed in an
 * error) is cut to `max` characters. It cannot know every secret, so code that reads a Secret also
 * never quotes it (see kube-config.ts); this is the net under that.
 */
export function redactSecrets(text: string, max = MAX_TEXT_LENGTH): string {
  // Only what can be shown is searched (with room for a credential that straddles the cut).
  const searched = text.length > max * 2 ? text.slice(0, max * 2) : text;
  let result = searched;
  for (const [pattern, replacement] of RULES) result = result.replace(pattern, replacement);
  return result.length > max || searched !== text ? `${result.slice(0, max)}${cutNote(max, text.length)}` : result;
}

export function truncate(text: string, max = MAX_TEXT_LENGTH): string {
  return text.length <= max ? text : `${text.slice(0, max)}${cutNote(max, text.length)}`;
}

function cutNote(max: number, length: number): string {
  return `... (cut at ${max} of ${length} characters)`;
}

/** An error's message, redacted, for where only text goes (a status record, a queue's failure reason). */
export function errorMessage(error: unknown): string {
  return redactSecrets(error instanceof Error ? error.message : String(error));
}

const MAX_DEPTH = 6;

/**
 * A log argument or field, redacted all the way down: strings as above, errors as plain objects
 * (type, message, stack and their own fields), so no serializer downstream sees the original.
 */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[nested too deep]';
  if (value instanceof Error) return redactError(value, depth);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  if (Buffer.isBuffer(value) || value instanceof Date) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactValue(item, depth + 1)]));
}

function redactError(error: Error, depth: number): Record<string, unknown> {
  const own = Object.fromEntries(Object.entries(error).map(([key, item]) => [key, redactValue(item, depth + 1)]));
  const cause = error.cause === undefined ? {} : { cause: redactValue(error.cause, depth + 1) };
  return { type: error.name, message: redactSecrets(error.message), stack: error.stack && redactSecrets(error.stack, MAX_TEXT_LENGTH * 4), ...own, ...cause };
}
