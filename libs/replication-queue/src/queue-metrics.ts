import type { Queue } from 'bullmq';
import { Gauge, type Registry } from 'prom-client';

// prioritized: BullMQ keeps jobs added with a priority out of `waiting`; a backlog without them would look empty.
const STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed'] as const;

/**
 * `replicator_queue_jobs{state}`: the reconcile queue's depth, read from Redis at scrape time so
 * every replica reports the same shared queue. While Redis is unreachable the series are absent
 * rather than stale (readiness says why).
 */
export function registerQueueDepth(registry: Registry, queue: Queue): Gauge<'state'> {
  return new Gauge({
    name: 'replicator_queue_jobs',
    help: 'Reconcile jobs in the queue, by state (read from Redis when scraped)',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      this.reset();
      const counts = await queue.getJobCounts(...STATES).catch(() => undefined);
      if (counts) for (const state of STATES) this.set({ state }, counts[state] ?? 0);
    },
  });
}
