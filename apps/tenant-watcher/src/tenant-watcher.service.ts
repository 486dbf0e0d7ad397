import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ClusterRegistry, ClusterWatcher, loadKubeConfig, WatcherMetrics } from '@service-replicator/kube';
import { mappingKey, watchPlan, type Direction } from '@service-replicator/replication-config';
import { ReplicatorRedis, tenantCluster, type PublishedTenant } from '@service-replicator/replication-queue';
import { LOGGER, MetricsRegistry, Readiness, Settings, type Logger } from '@service-replicator/runtime';
import { DIRECTION_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE, TENANT_LABEL } from '@service-replicator/service-translation';

const RELOAD_MS = 30_000;

interface TenantWatch {
  readonly spec: string;
  readonly watcher: ClusterWatcher;
  keys: readonly string[];
}

/**
 * Watches every tenant's cluster: toHost sources (and their EndpointSlices) and fromHost targets
 * (drift), keeping their snapshots for the writer's passes. It also sweeps each tenant for fromHost
 * mirrors we own whose mapping is gone (left behind when Redis lost the removal): once a tenant's
 * mappings are known, then every ORPHAN_SWEEP_INTERVAL_SECONDS.
 */
@Injectable()
export class TenantWatcherService implements OnApplicationBootstrap, OnApplicationShutdown {
  private clusters!: ClusterRegistry;
  private metrics!: WatcherMetrics;
  private readonly watches = new Map<string, TenantWatch>();
  /** Tenants to sweep as soon as their mappings are known: at start, and after Redis lost its data. */
  private readonly sweepDue = new Set<string>();
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly settings: Settings,
    private readonly redis: ReplicatorRedis,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly readiness: Readiness,
    private readonly registry: MetricsRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.clusters = new ClusterRegistry(loadKubeConfig({ file: this.settings.HOST_KUBECONFIG }));
    this.metrics = new WatcherMetrics(this.registry);
    this.readiness.add('informers', () => [...this.watches.values()].every((watch) => watch.watcher.healthy));
    this.redis.onServerChange((reason) => {
      this.logger.warn({ reason }, 'Redis server changed; writing every snapshot again from the caches');
      for (const watch of this.watches.values()) watch.watcher.rewriteSnapshots();
    });
    await this.reload('start');
    this.timers.push(
      setInterval(() => void this.reload('periodic reload'), RELOAD_MS),
      setInterval(() => void this.sweepAll(), this.settings.ORPHAN_SWEEP_INTERVAL_SECONDS * 1000),
    );
  }

  async reload(reason: string): Promise<void> {
    try {
      const tenants = await this.redis.mappings.all();
      const names = new Set(tenants.map((tenant) => tenant.tenant.name));
      for (const name of [...this.watches.keys()].filter((name) => !names.has(name))) await this.unwatch(name);
      // One tenant whose cluster cannot be reached (a broken kubeconfig, say) holds up no other.
      const results = await Promise.allSettled(tenants.map((tenant) => this.watch(tenant)));
      results.forEach((result, index) => {
        if (result.status === 'fulfilled') return;
        const tenant = tenants[index].tenant.name;
        this.logger.error({ tenant, err: result.reason, reason }, `cannot follow tenant ${tenant}; trying again on the next reload`);
      });
      this.logger.debug({ reason, tenants: [...names] }, 'following mappings');
    } catch (error) {
      this.logger.error({ err: error, reason }, 'could not reload the mappings; keeping the current watches');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.timers.forEach(clearInterval);
    await Promise.all([...this.watches.keys()].map((name) => this.unwatch(name)));
    await this.redis.close();
  }

  private async watch(published: PublishedTenant): Promise<void> {
    const name = published.tenant.name;
    const spec = JSON.stringify(published.tenant.kubeconfig);
    const plan = watchPlan(published.mappings, 'tenant');
    let watch = this.watches.get(name);
    if (watch && watch.spec !== spec) {
      await this.unwatch(name);
      watch = undefined;
    }
    const started = !watch;
    if (!watch) {
      const cluster = await this.clusters.tenant(published.tenant);
      const watcher = new ClusterWatcher(cluster, tenantCluster(name), this.redis.snapshots, {
        enqueue: (keys, cause) => this.enqueue(keys, `${cause} (tenant ${name})`),
        informerError: (namespace, resource, error, restartInMs) =>
          this.logger.warn({ tenant: name, namespace, resource, err: error, restartInMs }, `tenant ${resource} watch failed; restarting`),
        relisted: (namespace, resource) =>
          this.logger.info({ tenant: name, namespace, resource }, `tenant ${resource} watch in ${namespace} expired (410 Gone); listed again`),
        snapshotError: (namespace, error) => this.logger.warn({ tenant: name, namespace, err: error }, 'could not write snapshots; retrying'),
        // Removals queued before Redis lost its data are gone with it: their mirrors are leftovers now.
        snapshotsLost: () => {
          this.sweepDue.add(name);
          void this.sweep(name);
        },
      }, this.metrics);
      watch = { spec, watcher, keys: plan.keys };
      this.watches.set(name, watch);
    }
    watch.keys = plan.keys;
    await watch.watcher.follow(plan, new Map([[name, published.tenant]]));
    // Mappings removed while nothing was running leave mirrors behind: sweep once they are known.
    if (started) this.sweepDue.add(name);
    if (this.sweepDue.has(name)) await this.sweep(name);
  }

  private async unwatch(name: string): Promise<void> {
    const watch = this.watches.get(name);
    this.watches.delete(name);
    this.clusters.forget(name);
    await watch?.watcher.stop();
  }

  private async sweepAll(): Promise<void> {
    for (const tenant of this.watches.keys()) await this.sweep(tenant);
  }

  /** Enqueues the keys of fromHost mirrors we own in the tenant that no mapping names any more. */
  private async sweep(tenant: string): Promise<void> {
    const watch = this.watches.get(tenant);
    if (!watch) return;
    try {
      const published = await this.redis.mappings.get(tenant);
      // Not published (yet, or again after Redis lost it): nothing is known to be a leftover.
      if (!published) return;
      const cluster = await this.clusters.tenant(published.tenant);
      const direction: Direction = 'fromHost';
      const labelSelector = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},${TENANT_LABEL}=${tenant},${DIRECTION_LABEL}=${direction}`;
      const owned = await cluster.core.listServiceForAllNamespaces({ labelSelector });
      const known = new Set(watch.keys);
      const orphans = owned.items
        .map((svc) => mappingKey(tenant, direction, { namespace: svc.metadata?.namespace ?? '', name: svc.metadata?.name ?? '' }))
        .filter((key) => !known.has(key));
      await this.enqueue(orphans, 'orphan sweep');
      this.sweepDue.delete(tenant);
    } catch (error) {
      this.logger.warn({ tenant, err: error }, 'orphan sweep failed; the next one tries again');
    }
  }

  private async enqueue(keys: readonly string[], cause: string): Promise<void> {
    if (keys.length === 0) return;
    await this.redis.queue.enqueue(keys, cause).catch((error: unknown) => this.logger.error({ err: error, cause }, 'enqueue failed'));
  }
}
