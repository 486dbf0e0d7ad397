export interface Backoff {
  /** The next delay: doubles from initialMs up to maxMs, with up to 20% jitter so restarts spread out. */
  next(): number;
  reset(): void;
}

export function exponentialBackoff({ initialMs, maxMs }: { initialMs: number; maxMs: number }, random = Math.random): Backoff {
  let attempt = 0;
  return {
    next() {
      const base = Math.min(maxMs, initialMs * 2 ** attempt);
      attempt += 1;
      return Math.round(base * (1 - 0.2 * random()));
    },
    reset() {
      attempt = 0;
    },
  };
}
