import { Module } from '@nestjs/common';
import { ClusterRegistry } from '@service-replicator/kube';
import { ClustersModule } from '@service-replicator/kube/clusters.module';
import { MappingStore, PodAddressStore, ReconcileQueue, registerQueueDepth, SnapshotStore, StatusStore } from '@service-replicator/replication-queue';
import { LOGGER, MetricsRegistry, type Logger } from '@service-replicator/runtime';
import { OutcomeRecorder } from './outcome-recorder';
import { ReconcileJobHandler } from './reconcile-job-handler';
import { ReconcileMetrics } from './reconcile-metrics';
import { ReconcileProcessor } from './reconcile.processor';
import { Reconciler } from './reconciler';

export { ReconcileProcessor } from './reconcile.processor';

const QUEUE_DEPTH = Symbol('QUEUE_DEPTH');

/**
 * The writer's work as providers: the reconcile queue's worker (ReconcileProcessor), the job
 * handler, the Reconciler with the clusters (ClustersModule) and stores it reads and writes, the
 * outcome recorder and the metrics. Needs ReplicatorRedisModule (the queue, the stores). Apart from
 * the library's index, so the CLI loads no Nest with it.
 */
@Module({
  imports: [ClustersModule],
  providers: [
    {
      provide: Reconciler,
      inject: [ClusterRegistry, MappingStore, SnapshotStore, PodAddressStore],
      useFactory: (clusters: ClusterRegistry, mappings: MappingStore, snapshots: SnapshotStore, pods: PodAddressStore) => new Reconciler(clusters, mappings, snapshots, pods),
    },
    { provide: OutcomeRecorder, inject: [StatusStore, LOGGER], useFactory: (statuses: StatusStore, logger: Logger) => new OutcomeRecorder(statuses, logger) },
    { provide: ReconcileMetrics, inject: [MetricsRegistry], useFactory: (registry: MetricsRegistry) => new ReconcileMetrics(registry) },
    {
      provide: ReconcileJobHandler,
      inject: [Reconciler, OutcomeRecorder, ReconcileQueue, LOGGER, ReconcileMetrics],
      useFactory: (reconciler: Reconciler, recorder: OutcomeRecorder, queue: ReconcileQueue, log: Logger, metrics: ReconcileMetrics) =>
        new ReconcileJobHandler({ reconciler, recorder, queue, log, metrics }),
    },
    { provide: QUEUE_DEPTH, inject: [MetricsRegistry, ReconcileQueue], useFactory: (registry: MetricsRegistry, queue: ReconcileQueue) => registerQueueDepth(registry, queue.queue) },
    ReconcileProcessor,
  ],
  exports: [Reconciler, ReconcileJobHandler, ReconcileProcessor],
})
export class ReconcilerModule {}
