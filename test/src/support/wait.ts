import { until } from '@service-replicator/control-plane-harness';

/** Polls until `probe` returns something other than undefined; fails after `timeoutMs` (the harness's poll, with test defaults). */
export function eventually<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000, intervalMs = 100): Promise<T> {
  return until('condition not met', probe, timeoutMs, intervalMs);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
