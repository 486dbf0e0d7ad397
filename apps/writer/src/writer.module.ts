import { Module } from '@nestjs/common';
import { ClusterRegistry } from '@service-replicator/kube';
import { ClustersModule } from '@service-replicator/kube/clusters.module';
import { OutcomeRecorder, ReconcileJobHandler, ReconcileMetrics, Reconciler } from '@service-replicator/reconciler';
import { MappingStore, PodAddressStore, ReconcileQueue, registerQueueDepth, ReplicatorRedisModule, SnapshotStore, StatusStore } from '@service-replicator/replication-queue';
import { LOGGER, MetricsRegistry, type Logger } from '@service-replicator/runtime';
import { ReconcileProcessor } from './reconcile.processor';

const QUEUE_DEPTH = Symbol('QUEUE_DEPTH');

/** The writer's object graph: the worker, and the reconciler with what it reads and writes. */
@Module({
  imports: [ReplicatorRedisModule.forApp('writer', { queueRole: 'worker' }), ClustersModule],
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
})
export class WriterModule {}
