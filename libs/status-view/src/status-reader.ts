import type { MappingStore, ReconcileQueue, StatusStore } from '@service-replicator/replication-queue';
import { buildStatusReport, type QueueSummary, type StatusReport } from './status-report';

/** BullMQ job states worth a glance: work waiting or in hand, retries due later, and failures. */
const QUEUE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed'] as const;

/**
 * Reads the Redis records the apps keep (published mappings, config checks, the writer's status
 * records and, when given, the reconcile queue's counts) and builds the report from them.
 */
export class StatusReader {
  constructor(
    private readonly mappings: MappingStore,
    private readonly statuses: StatusStore,
    private readonly queue?: ReconcileQueue,
  ) {}

  async read(): Promise<StatusReport> {
    const [published, statuses, checks, queue] = await Promise.all([
      this.mappings.all(),
      this.statuses.all(),
      this.mappings.checks(),
      this.queueSummary(),
    ]);
    return buildStatusReport({ published, statuses, checks, queue, now: new Date() });
  }

  private async queueSummary(): Promise<QueueSummary | undefined> {
    if (!this.queue) return undefined;
    const counts = await this.queue.queue.getJobCounts(...QUEUE_STATES);
    return { name: this.queue.queue.name, counts };
  }
}
