/**
 * JSON with object keys sorted, so that two objects holding the same data compare equal even
 * when the API server returns the keys in another order. Undefined members are dropped, as
 * they are when an object is sent to the API server.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, member]) => member !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([key, member]) => [key, sortKeys(member)]));
}

/** Drops the undefined members, so built objects hold only the fields they mean to set. */
export function definedMembers<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, member]) => member !== undefined)) as T;
}

/** Orders objects by their canonical JSON: a stable order for lists the API server may shuffle. */
export function byCanonicalJson(a: unknown, b: unknown): number {
  const left = canonicalJson(a);
  const right = canonicalJson(b);
  return left < right ? -1 : left > right ? 1 : 0;
}
