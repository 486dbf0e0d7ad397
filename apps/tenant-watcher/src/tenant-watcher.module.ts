import { Module } from '@nestjs/common';
import { WatcherMetrics } from '@service-replicator/kube';
import { ClustersModule } from '@service-replicator/kube/clusters.module';
import { Membership } from '@service-replicator/leases';
import { MappingsController, MappingsReloader, ReplicatorRedis, ReplicatorRedisModule } from '@service-replicator/replication-queue';
import { MetricsRegistry } from '@service-replicator/runtime';
import { OrphanSweep } from './orphan-sweep';
import { TenantWatcherFactory } from './tenant-watcher.factory';
import { TenantWatcherService } from './tenant-watcher.service';

/** tenant-watcher's object graph: the tenants' clusters, the stores and shard membership, what a replica watches and sweeps. */
@Module({
  imports: [ReplicatorRedisModule.forApp('tenant-watcher'), ClustersModule],
  controllers: [MappingsController],
  providers: [
    { provide: WatcherMetrics, inject: [MetricsRegistry], useFactory: (registry: MetricsRegistry) => new WatcherMetrics(registry) },
    { provide: Membership, inject: [ReplicatorRedis], useFactory: (redis: ReplicatorRedis) => redis.membership('tenant-watcher') },
    TenantWatcherFactory,
    OrphanSweep,
    TenantWatcherService,
    { provide: MappingsReloader, useExisting: TenantWatcherService },
  ],
})
export class TenantWatcherModule {}
