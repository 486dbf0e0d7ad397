/** Longest part of a value echoed in a message: a 5 MB name must not make a 5 MB message. */
export const MAX_ECHOED_CHARACTERS = 100;

/**
 * A value as a message quotes it: JSON-quoted (so whitespace and control characters show), and
 * past MAX_ECHOED_CHARACTERS cut with an ellipsis and the full length, e.g. `"aaaa…" (5242880 characters)`.
 */
export function quoteValue(value: string): string {
  if (value.length <= MAX_ECHOED_CHARACTERS) return JSON.stringify(value);
  return `${JSON.stringify(value.slice(0, MAX_ECHOED_CHARACTERS)).slice(0, -1)}…" (${value.length} characters)`;
}
