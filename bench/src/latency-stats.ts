export interface LatencySummary {
  readonly n: number;
  readonly min: number;
  readonly median: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/**
 * Nearest-rank percentile: always a value that was measured, never an interpolation between two.
 * With fewer than 100 samples p99 is the largest sample (n = 60: rank ceil(59.4) = 60, the max).
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new Error('no samples');
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** Milliseconds to one decimal: finer than that is below what the clocks involved can tell apart. */
export function roundMs(ms: number): number {
  return Math.round(ms * 10) / 10;
}

export function summarise(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, value) => sum + value, 0) / sorted.length;
  return {
    n: sorted.length,
    min: roundMs(sorted[0]),
    median: roundMs(percentile(sorted, 50)),
    p90: roundMs(percentile(sorted, 90)),
    p99: roundMs(percentile(sorted, 99)),
    max: roundMs(sorted[sorted.length - 1]),
    mean: roundMs(mean),
  };
}

/** The median of each named stage over many samples, for "where the time goes". */
export function stageMedians<T extends { readonly [K in keyof T]?: number }>(rows: readonly T[], keys: readonly (keyof T & string)[]): Record<string, number | null> {
  const entries = keys.map((key) => {
    const values = rows.flatMap((row) => (row[key] === undefined ? [] : [row[key] as number])).sort((a, b) => a - b);
    return [key, values.length === 0 ? null : roundMs(percentile(values, 50))] as const;
  });
  return Object.fromEntries(entries);
}
