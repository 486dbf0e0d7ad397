import type { Queue } from 'bullmq';
import { Gauge, type Registry } from 'prom-client';

// prioritized: BullMQ keeps jobs added with a priority out of `waiting`; a backlog without them would look empty.
const STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed'] as const;

/**
 * `replicator_queue_jobs{state}`: the reconcile queue's depth, read from Redis at scrape time so
 * every replica reports the same shared queue. While Redis is unreachable the series are absent
 * rather than stale (readiness says why). The writer's queue is on its worker connection, which
 * waits for Redis instead of failing: a scrape gives up on the count after a second.
 */
export function registerQueueDepth(registry: Registry, queue: Queue): Gauge<'state'> {
  return new Gauge({
    name: 'replicator_queue_jobs',
    help: 'Reconcile jobs in the queue, by state (read from Redis when scraped)',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      this.reset();
      const counts = await withinMs(COUNT_TIMEOUT_MS, queue.getJobCounts(...STATES)).catch(() => undefined);
      if (counts) for (const state of STATES) this.set({ state }, counts[state] ?? 0);
    },
  });
}

const COUNT_TIMEOUT_MS = 1_000;

function withinMs<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
