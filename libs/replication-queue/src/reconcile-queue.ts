import { Queue, type JobsOptions, type QueueOptions } from 'bullmq';
import type { Redis } from 'ioredis';
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

/** Long enough that a cluster outage is ridden out; the periodic resync picks up anything later. */
const ATTEMPTS = 40;

export function reconcileJobOptions(key: string, delayMs = 0): JobsOptions {
  return {
    // The workqueue rule: repeated adds are processed once, and an add during processing is
    // processed once more after it (keepLastIfActive), never in parallel with it.
    deduplication: { id: key, keepLastIfActive: true },
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

export class ReconcileQueue {
  readonly queue: Queue<ReconcileJobData>;

  /** With tracing on, each job carries its producer's trace context (BullMQ telemetry metadata). */
  constructor(connection: Redis, prefix: string, options: Partial<QueueOptions> = {}) {
    this.queue = new Queue<ReconcileJobData>(RECONCILE_QUEUE, { connection, prefix, telemetry: queueTelemetry(), ...options });
  }

  async enqueue(keys: Iterable<string>, cause: string, seenAt = Date.now()): Promise<number> {
    const jobs = [...new Set(keys)].map((key) => ({
      name: RECONCILE_JOB,
      data: { key, seenAt, cause },
      opts: reconcileJobOptions(key),
    }));
    if (jobs.length > 0) await this.queue.addBulk(jobs);
    return jobs.length;
  }

  async enqueueAfter(key: string, delayMs: number, cause: string): Promise<void> {
    await this.queue.add(RECONCILE_JOB, { key, seenAt: Date.now(), cause }, reconcileJobOptions(key, delayMs));
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
