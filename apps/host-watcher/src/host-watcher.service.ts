import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ClusterClient, ClusterWatcher, loadKubeConfig, TenantPodWatcher, WatcherMetrics, type TenantPodsWanted } from '@service-replicator/kube';
import { mappingKeyOf, watchPlan } from '@service-replicator/replication-config';
import { HOST_CLUSTER, ReplicatorRedis, type PublishedTenant } from '@service-replicator/replication-queue';
import { effectiveToHostMode } from '@service-replicator/service-translation';
import { LOGGER, MetricsRegistry, Readiness, Settings, type Logger } from '@service-replicator/runtime';

/** Announcements can be missed (pub/sub has no memory): the published mappings are re-read this often. */
const RELOAD_MS = 30_000;

/**
 * Watches the host cluster for every tenant at once: fromHost sources (and their EndpointSlices)
 * and toHost targets (to repair drift), keeping their snapshots for the writer's passes; and the
 * pods of tenants whose toHost mirrors copy endpoints, so those keep only the tenant's own pods.
 */
@Injectable()
export class HostWatcherService implements OnApplicationBootstrap, OnApplicationShutdown {
  private watcher!: ClusterWatcher;
  private pods!: TenantPodWatcher;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly settings: Settings,
    private readonly redis: ReplicatorRedis,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly readiness: Readiness,
    private readonly registry: MetricsRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const host = new ClusterClient('host', loadKubeConfig({ file: this.settings.HOST_KUBECONFIG }));
    this.watcher = new ClusterWatcher(host, HOST_CLUSTER, this.redis.snapshots, {
      enqueue: (keys, cause) => this.enqueue(keys, cause),
      informerError: (namespace, resource, error, restartInMs) =>
        this.logger.warn({ namespace, resource, err: error, restartInMs }, `host ${resource} watch in ${namespace} failed; restarting`),
      relisted: (namespace, resource) => this.logger.info({ namespace, resource }, `host ${resource} watch in ${namespace} expired (410 Gone); listed again`),
      snapshotError: (namespace, error) => this.logger.warn({ namespace, err: error }, 'could not write snapshots; retrying'),
    }, new WatcherMetrics(this.registry));
    this.pods = new TenantPodWatcher(host, this.redis.podAddresses, {
      enqueue: (keys, cause) => this.enqueue(keys, cause),
      informerError: (tenant, error, restartInMs) => this.logger.warn({ tenant, err: error, restartInMs }, `host pods watch of tenant ${tenant} failed; restarting`),
      snapshotError: (tenant, error) => this.logger.warn({ tenant, err: error }, 'could not write pod addresses; retrying'),
    });
    this.readiness.add('informers', () => this.watcher.healthy && this.pods.healthy);
    this.redis.onServerChange((reason) => {
      this.logger.warn({ reason }, 'Redis server changed; writing every snapshot and pod address again from the caches');
      this.watcher.rewriteSnapshots();
      this.pods.rewriteSnapshots();
    });
    await this.reload('start');
    this.timer = setInterval(() => void this.reload('periodic reload'), RELOAD_MS);
  }

  async reload(reason: string): Promise<void> {
    try {
      const published = await this.redis.mappings.all();
      const plan = watchPlan(published.flatMap((tenant) => tenant.mappings), 'host');
      await this.watcher.follow(plan, new Map(published.map((tenant) => [tenant.tenant.name, tenant.tenant])));
      await this.pods.follow(published.flatMap(podsWanted));
      this.logger.debug({ reason, namespaces: plan.namespaces, keys: plan.keys.length }, 'following mappings');
    } catch (error) {
      this.logger.error({ err: error, reason }, 'could not reload the mappings; keeping the current watches');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.watcher?.stop();
    await this.pods?.stop();
    await this.redis.close();
  }

  private enqueue(keys: readonly string[], cause: string): Promise<unknown> {
    return this.redis.queue.enqueue(keys, cause).catch((error: unknown) => this.logger.error({ err: error, cause }, 'enqueue failed'));
  }
}

/** A tenant whose toHost mirrors copy endpoint addresses: its pods are followed, for those keys. */
function podsWanted(published: PublishedTenant): TenantPodsWanted[] {
  const { tenant } = published;
  const keys = published.mappings.filter((m) => m.direction === 'toHost' && effectiveToHostMode(m, tenant) === 'endpoints').map(mappingKeyOf);
  return keys.length > 0 ? [{ tenant, keys }] : [];
}
