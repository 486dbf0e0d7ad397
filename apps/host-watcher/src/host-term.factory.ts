import { Inject, Injectable } from '@nestjs/common';
import { ClusterWatcher, TenantPodWatcher, WatcherMetrics, type ClusterClient } from '@service-replicator/kube';
import { HOST_CLUSTER_CLIENT } from '@service-replicator/kube/clusters.module';
import { FencedError, LeaseStore, type Lease } from '@service-replicator/leases';
import { HOST_CLUSTER, PodAddressStore, ReconcileQueue, SnapshotStore } from '@service-replicator/replication-queue';
import { LOGGER, type Logger } from '@service-replicator/runtime';

/** What host-watcher watches while it leads, and under which lease's token its writes are fenced. */
export interface HostTerm {
  readonly token: number;
  readonly watcher: ClusterWatcher;
  readonly pods: TenantPodWatcher;
}

/**
 * Makes the watchers of one leadership term: the host's Services and EndpointSlices (snapshots)
 * and the pods of tenants whose toHost mirrors copy endpoints, every snapshot write fenced by the
 * term's lease. A provider, so a test can replace what a leader watches.
 */
@Injectable()
export class HostTermFactory {
  constructor(
    @Inject(HOST_CLUSTER_CLIENT) private readonly host: ClusterClient,
    private readonly snapshots: SnapshotStore,
    private readonly podAddresses: PodAddressStore,
    private readonly leases: LeaseStore,
    private readonly queue: ReconcileQueue,
    private readonly metrics: WatcherMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** `fenced`: a write was refused because the lease has moved on (this replica no longer leads). */
  open(lease: Lease, fenced: () => void): HostTerm {
    const watcher = new ClusterWatcher(this.host, HOST_CLUSTER, this.snapshots.fenced(this.leases.fenceOf(lease)), {
      enqueue: (keys, cause) => this.enqueue(keys, cause),
      informerError: (namespace, resource, error, restartInMs) =>
        this.logger.warn({ namespace, resource, err: error, restartInMs }, `host ${resource} watch in ${namespace} failed; restarting`),
      relisted: (namespace, resource) => this.logger.info({ namespace, resource }, `host ${resource} watch in ${namespace} expired (410 Gone); listed again`),
      snapshotError: (namespace, error) => {
        if (error instanceof FencedError) fenced();
        else this.logger.warn({ namespace, err: error }, 'could not write snapshots; retrying');
      },
    }, this.metrics);
    const pods = new TenantPodWatcher(this.host, this.podAddresses, {
      enqueue: (keys, cause) => this.enqueue(keys, cause),
      informerError: (tenant, error, restartInMs) => this.logger.warn({ tenant, err: error, restartInMs }, `host pods watch of tenant ${tenant} failed; restarting`),
      snapshotError: (tenant, error) => this.logger.warn({ tenant, err: error }, 'could not write pod addresses; retrying'),
    });
    return { token: lease.token, watcher, pods };
  }

  private enqueue(keys: readonly string[], cause: string): Promise<unknown> {
    return this.queue.enqueue(keys, cause).catch((error: unknown) => this.logger.error({ err: error, cause }, 'enqueue failed'));
  }
}
