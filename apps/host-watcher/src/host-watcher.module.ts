import { Module } from '@nestjs/common';
import { WatcherMetrics } from '@service-replicator/kube';
import { ClustersModule } from '@service-replicator/kube/clusters.module';
import { MappingsController, MappingsReloader, ReplicatorRedisModule } from '@service-replicator/replication-queue';
import { MetricsRegistry } from '@service-replicator/runtime';
import { HostTermFactory } from './host-term.factory';
import { HostWatcherService } from './host-watcher.service';

/** host-watcher's object graph: the host cluster, the stores, what a leader watches, and the announcements it follows. */
@Module({
  imports: [ReplicatorRedisModule.forApp('host-watcher'), ClustersModule],
  controllers: [MappingsController],
  providers: [{ provide: WatcherMetrics, inject: [MetricsRegistry], useFactory: (registry: MetricsRegistry) => new WatcherMetrics(registry) }, HostTermFactory, HostWatcherService, { provide: MappingsReloader, useExisting: HostWatcherService }],
})
export class HostWatcherModule {}
