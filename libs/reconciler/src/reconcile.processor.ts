import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Job } from 'bullmq';
import { RECONCILE_WORKER_OPTIONS, ReconcileJobHandler } from './reconcile-job-handler';
import { RECONCILE_QUEUE, type ReconcileJobData } from '@service-replicator/replication-queue';
import { LOGGER, Settings, type Logger } from '@service-replicator/runtime';

/** The BullMQ worker of the reconcile queue; every replica of the writer takes jobs from it. */
@Processor(RECONCILE_QUEUE, RECONCILE_WORKER_OPTIONS)
export class ReconcileProcessor extends WorkerHost implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(
    private readonly handler: ReconcileJobHandler,
    private readonly settings: Settings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    super();
  }

  process(job: Job<ReconcileJobData>, token?: string): Promise<void> {
    return this.handler.process(job, token);
  }

  /** Takes jobs once the whole app has started, WRITER_CONCURRENCY at a time. */
  onApplicationBootstrap(): void {
    this.worker.concurrency = this.settings.WRITER_CONCURRENCY;
    this.worker.on('error', (error) => this.logger.error({ err: error }, 'worker error'));
    this.worker.run().catch((error: unknown) => this.logger.error({ err: error }, 'worker stopped'));
  }

  /** Finishes the jobs in hand before Redis closes (BullMQ hands unfinished ones to another replica after their lock expires). */
  async onModuleDestroy(): Promise<void> {
    await this.worker.close();
  }
}
