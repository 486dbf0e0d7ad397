import { Queue, type JobsOptions, type QueueOptions } from 'bullmq';
import type { RedisClient } from './redis-connection';
import { queueTelemetry } from '@service-replicator/telemetry';

export const RECONCILE_QUEUE = 'reconcile';
export const RECONCILE_JOB = 'reconcile';

/** A job carries only its key; the writer reads everything else fresh. */
export interface ReconcileJobData {
  readonly key: string;
  /** When the change behind this job was first seen (ms since epoch), for the replication lag. */
  readonly seenAt: number;
  /** What made us look: a watch event, a config change, a reconnect, a resync, a follow-up. */
  readonly cause: string;
}

/** One MULTI per this many jobs: large batches (a 10,000-entry config) do not build one huge command. */
const BULK_SIZE = 1_000;

/** Long enough that a cluster outage is ridden out; the periodic resync picks up anything later. */
const ATTEMPTS = 40;

/** BullMQ's largest priority (lowest urgency). */
const MAX_PRIORITY = 2_097_151;

export function reconcileJobOptions(key: string, delayMs = 0, priority = 1): JobsOptions {
  return {
    // Every job is prioritised (BullMQ runs jobs without a priority before all prioritised ones).
    priority: Math.min(MAX_PRIORITY, Math.max(1, priority)),
    // The workqueue rule: repeated adds are processed once, and an add during processing is
    // processed once more after it (keepLastIfActive), never in parallel with it.
    // reschedule: a key waiting out a delay (its namespace not listed yet, a 409) runs now when a
    // new event for it comes in, instead of that event being dropped until the delay ends.
    deduplication: { id: key, keepLastIfActive: true, reschedule: true },
    attempts: ATTEMPTS,
    backoff: { type: 'capped-exponential' },
    delay: delayMs,
    removeOnComplete: true,
    removeOnFail: { count: 1_000 },
  };
}

/** Retry delays for failed passes: 0.5 s doubling to a 60 s ceiling. */
export function retryDelayMs(attemptsMade: number): number {
  return Math.min(60_000, 500 * 2 ** Math.max(0, attemptsMade - 1));
}

/** The reconcile queue's options: its prefix, and with tracing on, each job carries its producer's trace context. */
export function reconcileQueueOptions(connection: RedisClient, prefix: string): QueueOptions {
  return { connection, prefix, telemetry: queueTelemetry() };
}

/** Adds reconcile jobs to the BullMQ queue (in the apps, the one BullModule registers). */
export class ReconcileQueue {
  constructor(readonly queue: Queue<ReconcileJobData>) {}

  /** A queue of its own on `connection`, for code that runs outside Nest (the CLI, tests, benchmarks). */
  static connect(connection: RedisClient, prefix: string, options: Partial<QueueOptions> = {}): ReconcileQueue {
    return new ReconcileQueue(new Queue<ReconcileJobData>(RECONCILE_QUEUE, { ...reconcileQueueOptions(connection, prefix), ...options }));
  }

  /**
   * Adds one job per key. Fair share across tenants: the n-th key of a tenant in this batch gets
   * priority n, so one tenant's batch of 10,000 keys (a config publication, a resync) interleaves
   * with every other tenant's work instead of queueing in front of it, and a single change (a watch
   * event, a one-line config edit) takes the next free slot whatever the backlog.
   */
  async enqueue(keys: Iterable<string>, cause: string, seenAt = Date.now()): Promise<number> {
    const position = new Map<string, number>();
    const jobs = [...new Set(keys)].map((key) => {
      const tenant = key.slice(0, key.indexOf('/'));
      const priority = (position.get(tenant) ?? 0) + 1;
      position.set(tenant, priority);
      return { name: RECONCILE_JOB, data: { key, seenAt, cause }, opts: reconcileJobOptions(key, 0, priority) };
    });
    // Every batch at once: the connection runs them in order, and building the next overlaps Redis
    // running the last (10,000 keys: ~230 ms instead of ~320 on an idle 2-core machine).
    const batches = Array.from({ length: Math.ceil(jobs.length / BULK_SIZE) }, (_, i) => jobs.slice(i * BULK_SIZE, (i + 1) * BULK_SIZE));
    await Promise.all(batches.map((batch) => this.queue.addBulk(batch)));
    return jobs.length;
  }

  /**
   * One key, looked at again after `delayMs`; it keeps the seenAt of the change it belongs to, and
   * the priority of the job it follows up: a tenant's 10,000 retries must not all jump to priority 1
   * and queue in front of another tenant's single change.
   */
  async enqueueAfter(key: string, delayMs: number, cause: string, seenAt = Date.now(), priority = 1): Promise<void> {
    await this.queue.add(RECONCILE_JOB, { key, seenAt, cause }, reconcileJobOptions(key, delayMs, priority));
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
