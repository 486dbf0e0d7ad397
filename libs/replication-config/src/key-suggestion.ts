/** Most edits a "did you mean" bridges: more, and the suggestion is a guess rather than a typo fix. */
const MAX_EDITS = 2;

/** The known key a typo most likely meant: a few edits away (ignoring case), fewer for short keys. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of known) {
    // Lengths further apart than the edits allowed cannot match; this also keeps a huge key cheap.
    if (Math.abs(candidate.length - key.length) > MAX_EDITS) continue;
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (best === undefined || distance < best.distance) best = { candidate, distance };
  }
  return best !== undefined && best.distance <= Math.min(MAX_EDITS, Math.floor(best.candidate.length / 2)) ? best.candidate : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}
