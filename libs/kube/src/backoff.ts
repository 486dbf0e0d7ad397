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

/**
 * While the API server does not answer (no HTTP status: connection refused, reset, timed out) or
 * answers 5xx (starting, overloaded), a retry costs it nothing and is the only way to notice it is
 * back: retry at least this often, so informers (and readiness, and the passes waiting on them)
 * recover within seconds of an outage ending rather than up to a whole backoff later.
 */
export const UNREACHABLE_RETRY_MAX_MS = 5_000;

/** The delay before an informer's next try: the backoff's, capped for an API server that is away. */
export function informerRetryDelayMs(status: number | undefined, backoffMs: number): number {
  const unreachable = status === undefined || status >= 500;
  return unreachable ? Math.min(backoffMs, UNREACHABLE_RETRY_MAX_MS) : backoffMs;
}
