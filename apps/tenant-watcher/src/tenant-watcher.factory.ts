import { Inject, Injectable } from '@nestjs/common';
import { ClusterRegistry, ClusterWatcher, WatcherMetrics } from '@service-replicator/kube';
import { FencedError, LeaseStore, type Lease } from '@service-replicator/leases';
import { ReconcileQueue, SnapshotStore, tenantCluster, type PublishedTenant } from '@service-replicator/replication-queue';
import { LOGGER, type Logger } from '@service-replicator/runtime';

/** What the owner of a tenant's watch hears from it beyond its logs. */
export interface TenantWatchEvents {
  /** A write was refused: the tenant's lease has moved to another replica. */
  readonly fenced: () => void;
  /** Redis lost what the watcher vouched for (FLUSHALL, a restart without data). */
  readonly snapshotsLost: () => void;
}

/**
 * Makes the watcher of one tenant's cluster under one lease: toHost sources and fromHost targets
 * (snapshots, fenced by the lease's token) and the keys their changes affect. A provider, so a
 * test can replace what a replica watches for a tenant.
 */
@Injectable()
export class TenantWatcherFactory {
  constructor(
    private readonly clusters: ClusterRegistry,
    private readonly snapshots: SnapshotStore,
    private readonly leases: LeaseStore,
    private readonly queue: ReconcileQueue,
    private readonly metrics: WatcherMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async open(published: PublishedTenant, lease: Lease, events: TenantWatchEvents): Promise<ClusterWatcher> {
    const name = published.tenant.name;
    const cluster = await this.clusters.tenant(published.tenant);
    return new ClusterWatcher(cluster, tenantCluster(name), this.snapshots.fenced(this.leases.fenceOf(lease)), {
      enqueue: (keys, cause) => this.enqueue(keys, `${cause} (tenant ${name})`),
      informerError: (namespace, resource, error, restartInMs) =>
        this.logger.warn({ tenant: name, namespace, resource, err: error, restartInMs }, `tenant ${resource} watch failed; restarting`),
      relisted: (namespace, resource) =>
        this.logger.info({ tenant: name, namespace, resource }, `tenant ${resource} watch in ${namespace} expired (410 Gone); listed again`),
      snapshotError: (namespace, error) => {
        if (!(error instanceof FencedError)) return this.logger.warn({ tenant: name, namespace, err: error }, 'could not write snapshots; retrying');
        this.logger.warn({ tenant: name, token: lease.token }, `tenant ${name}: its lease was taken over; stopping its watch`);
        events.fenced();
      },
      snapshotsLost: events.snapshotsLost,
    }, this.metrics);
  }

  private async enqueue(keys: readonly string[], cause: string): Promise<void> {
    if (keys.length === 0) return;
    await this.queue.enqueue(keys, cause).catch((error: unknown) => this.logger.error({ err: error, cause }, 'enqueue failed'));
  }
}
