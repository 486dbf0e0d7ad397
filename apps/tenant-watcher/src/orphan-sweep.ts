import { Inject, Injectable } from '@nestjs/common';
import { ClusterRegistry } from '@service-replicator/kube';
import { mappingKey, type Direction } from '@service-replicator/replication-config';
import { ReconcileQueue, type PublishedTenant } from '@service-replicator/replication-queue';
import { LOGGER, type Logger } from '@service-replicator/runtime';
import { DIRECTION_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE, TENANT_LABEL } from '@service-replicator/service-translation';

/**
 * Finds fromHost mirrors we own in a tenant that no mapping names any more (left behind when Redis
 * lost a removal) and enqueues their keys: one LIST per tenant.
 */
@Injectable()
export class OrphanSweep {
  constructor(
    private readonly queue: ReconcileQueue,
    private readonly clusters: ClusterRegistry,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** True when the sweep was done (its keys enqueued); false when it failed and should be tried again. */
  async sweep(published: PublishedTenant, knownKeys: readonly string[]): Promise<boolean> {
    const tenant = published.tenant.name;
    try {
      const cluster = await this.clusters.tenant(published.tenant);
      const direction: Direction = 'fromHost';
      const labelSelector = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},${TENANT_LABEL}=${tenant},${DIRECTION_LABEL}=${direction}`;
      const owned = await cluster.core.listServiceForAllNamespaces({ labelSelector });
      const known = new Set(knownKeys);
      const orphans = owned.items
        .map((svc) => mappingKey(tenant, direction, { namespace: svc.metadata?.namespace ?? '', name: svc.metadata?.name ?? '' }))
        .filter((key) => !known.has(key));
      if (orphans.length > 0) await this.queue.enqueue(orphans, 'orphan sweep');
      return true;
    } catch (error) {
      this.logger.warn({ tenant, err: error }, 'orphan sweep failed; the next one tries again');
      return false;
    }
  }
}
