import type { AppName, ReplicatorProcesses } from '@service-replicator/control-plane-harness';

/** One kind of log line of a run: when it first and last appeared (s from the start), and how often. */
export interface Milestone {
  readonly first?: number;
  readonly last?: number;
  readonly count: number;
}

interface LogEntry {
  readonly time?: string;
  readonly msg?: string;
  readonly wrote?: string;
}

/** The entries of an app's JSON log lines that `match` picks, as seconds after `startedAt` (epoch ms). */
export async function milestoneOf(apps: ReplicatorProcesses, app: AppName, startedAt: number, match: (entry: LogEntry) => boolean): Promise<Milestone> {
  const times = (await apps.log(app))
    .split('\n')
    .flatMap((line) => {
      try {
        const entry = JSON.parse(line) as LogEntry;
        return entry.time && match(entry) ? [(Date.parse(entry.time) - startedAt) / 1000] : [];
      } catch {
        return [];
      }
    })
    .filter((t) => t >= 0)
    .sort((a, b) => a - b);
  const round = (t: number | undefined) => (t === undefined ? undefined : Math.round(t * 100) / 100);
  return { first: round(times[0]), last: round(times.at(-1)), count: times.length };
}

/** config-watcher published a tenant's mappings. */
export const PUBLISHED = (entry: LogEntry): boolean => /published mappings version/.test(entry.msg ?? '');
/** The writer wrote a mirror (created, updated or deleted something). */
export const WROTE = (entry: LogEntry): boolean => entry.wrote !== undefined;
/** A tenant-watcher started following a tenant. */
export const WATCHING = (entry: LogEntry): boolean => /^watching tenant /.test(entry.msg ?? '');
