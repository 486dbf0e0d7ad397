import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ClusterRegistry, loadKubeConfig } from '@service-replicator/kube';
import { OutcomeRecorder, ReconcileMetrics, Reconciler, ReplicationWorker } from '@service-replicator/reconciler';
import { redisConnection, registerQueueDepth, ReplicatorRedis } from '@service-replicator/replication-queue';
import { LOGGER, MetricsRegistry, Settings, type Logger } from '@service-replicator/runtime';

/** Runs the BullMQ worker; every replica of this app takes jobs from the same queue. */
@Injectable()
export class WriterService implements OnApplicationBootstrap, OnApplicationShutdown {
  private worker?: ReplicationWorker;

  constructor(
    private readonly settings: Settings,
    private readonly redis: ReplicatorRedis,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly registry: MetricsRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { settings, logger } = this;
    registerQueueDepth(this.registry, this.redis.queue.queue);
    const clusters = new ClusterRegistry(loadKubeConfig({ file: settings.HOST_KUBECONFIG }));
    this.worker = new ReplicationWorker({
      connection: redisConnection(this.redis.target, 'worker', 'writer-worker'),
      prefix: settings.QUEUE_PREFIX,
      concurrency: settings.WRITER_CONCURRENCY,
      reconciler: new Reconciler(clusters, this.redis.mappings, this.redis.snapshots, this.redis.podAddresses),
      recorder: new OutcomeRecorder(this.redis.statuses, logger),
      queue: this.redis.queue,
      log: logger,
      metrics: new ReconcileMetrics(this.registry),
    });
  }

  /** Finishes the jobs in hand (BullMQ hands unfinished ones to another replica after their lock expires). */
  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    await this.redis.close();
  }
}
