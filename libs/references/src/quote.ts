/** Longest part of a value an error message quotes: a 5 MB name must not make a 5 MB message. */
const MAX_QUOTED = 100;

/** A value as a message quotes it: JSON-quoted, a long one cut, saying how long it was. */
export function quote(value: string): string {
  if (value.length <= MAX_QUOTED) return JSON.stringify(value);
  return `${JSON.stringify(value.slice(0, MAX_QUOTED))}... (${value.length} characters)`;
}
