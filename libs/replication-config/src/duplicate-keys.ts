import { isMap, isScalar, isSeq } from 'yaml';

/**
 * Offsets of the keys that repeat an earlier key of the same mapping, for a parsed document's
 * contents. The yaml package can check this itself (`uniqueKeys`), but compares every key with
 * every other: a 400 KB file of keys took 15 s, so a 5 MB one would stall config-watcher. This is
 * linear, and iterative, so deep nesting cannot overflow the stack. Keys are compared as the
 * strings they become in the plain data, where `1` and `"1"` would collide.
 */
export function duplicateKeyOffsets(contents: unknown): number[] {
  const offsets: number[] = [];
  const pending: unknown[] = [contents];
  while (pending.length > 0) {
    const node = pending.pop();
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        if (isScalar(pair.key)) {
          const key = String(pair.key.value);
          if (seen.has(key)) offsets.push(pair.key.range?.[0] ?? 0);
          else seen.add(key);
        }
        pending.push(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) pending.push(item);
    }
  }
  return offsets;
}
