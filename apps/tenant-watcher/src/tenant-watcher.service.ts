import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ClusterRegistry, ClusterWatcher, loadKubeConfig, WatcherMetrics } from '@service-replicator/kube';
import { FencedError, LeaseKeeper, shardOfMember, type Lease, type Membership } from '@service-replicator/leases';
import { watchPlan } from '@service-replicator/replication-config';
import { ReplicatorRedis, tenantCluster, type PublishedTenant } from '@service-replicator/replication-queue';
import { LOGGER, MetricsRegistry, Readiness, SerialRuns, Settings, type Logger } from '@service-replicator/runtime';
import { OrphanSweep } from './orphan-sweep';

const RELOAD_MS = 30_000;
const LEASE_PREFIX = 'tenant-watcher:';

interface TenantWatch {
  readonly spec: string;
  /** The token of the lease this watch writes under: a new grant means a new watch. */
  readonly token: number;
  readonly watcher: ClusterWatcher;
  keys: readonly string[];
}

/**
 * Watches the tenants' clusters: toHost sources (and their EndpointSlices) and fromHost targets
 * (drift), keeping their snapshots for the writer's passes. Any number of replicas share the
 * tenants: each replica beats in a membership, rendezvous hashing assigns every tenant to one live
 * replica, and a replica watches a tenant only while it holds that tenant's lease; every snapshot
 * write carries the lease's fencing token, so a replica that lost a tenant writes nothing more for
 * it. Reloads run one at a time, so a burst of announcements never starts two watchers for a tenant.
 */
@Injectable()
export class TenantWatcherService implements OnApplicationBootstrap, OnApplicationShutdown {
  private clusters!: ClusterRegistry;
  private metrics!: WatcherMetrics;
  private shards!: LeaseKeeper;
  private membership!: Membership;
  private sweep!: OrphanSweep;
  private readonly member = `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
  private readonly watches = new Map<string, TenantWatch>();
  private readonly reloads = new SerialRuns((reason) => this.reloadNow(reason));
  /** The published tenants, as last read: the ones this replica may be assigned. */
  private publishedNames: readonly string[] = [];
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
    this.clusters = new ClusterRegistry(loadKubeConfig({ file: this.settings.HOST_KUBECONFIG }), { maxSockets: this.settings.KUBE_MAX_SOCKETS_PER_SERVER });
    this.metrics = new WatcherMetrics(this.registry);
    this.sweep = new OrphanSweep(this.redis, this.clusters, this.logger);
    this.readiness.add('informers', () => [...this.watches.values()].every((watch) => watch.watcher.healthy));
    const ttlMs = this.settings.LEASE_TTL_SECONDS * 1_000;
    this.membership = this.redis.membership('tenant-watcher');
    const leaseNames = () => this.publishedNames.map((name) => `${LEASE_PREFIX}${name}`);
    this.shards = new LeaseKeeper(
      this.redis.leases,
      this.member,
      { ttlMs, renewEveryMs: ttlMs / 5 },
      shardOfMember(this.membership, this.member, ttlMs, leaseNames),
      () => void this.reload('tenant leases changed'),
      (error) => this.logger.warn({ err: error }, 'could not renew or take tenant leases; retrying'),
    );
    this.redis.onServerChange((reason) => {
      this.logger.warn({ reason }, 'Redis server changed; writing every snapshot again from the caches');
      for (const watch of this.watches.values()) watch.watcher.rewriteSnapshots();
    });
    await this.reload('start');
    await this.shards.start();
    this.logger.info({ member: this.member, tenants: this.shards.heldNames().length }, 'tenant-watcher joined the shard membership');
    this.timers.push(
      setInterval(() => void this.reload('periodic reload'), RELOAD_MS),
      setInterval(() => void this.sweepAll(), this.settings.ORPHAN_SWEEP_INTERVAL_SECONDS * 1000),
    );
  }

  /** One reload at a time; requests meanwhile (50 announcements at once) make one more after it. */
  reload(reason: string): Promise<void> {
    return this.reloads.request(reason);
  }

  async onApplicationShutdown(): Promise<void> {
    this.timers.forEach(clearInterval);
    await this.reloads.idle();
    await Promise.all([...this.watches.keys()].map((name) => this.unwatch(name)));
    // Released at once, so the other replicas take these tenants over without waiting for expiry.
    await this.shards?.stop();
    await this.membership?.leave(this.member).catch(() => undefined);
    await this.redis.close();
  }

  private async reloadNow(reason: string): Promise<void> {
    try {
      const tenants = await this.redis.mappings.all();
      this.publishedNames = tenants.map((tenant) => tenant.tenant.name);
      const owned = tenants.filter((tenant) => this.leaseOf(tenant.tenant.name));
      const ownedNames = new Set(owned.map((tenant) => tenant.tenant.name));
      const dropped = [...this.watches.keys()].filter((name) => !ownedNames.has(name));
      await Promise.all(dropped.map((name) => this.unwatch(name)));
      // One tenant whose cluster cannot be reached (a broken kubeconfig, say) holds up no other.
      const results = await Promise.allSettled(owned.map((tenant) => this.watch(tenant)));
      results.forEach((result, index) => {
        if (result.status === 'fulfilled') return;
        const tenant = owned[index].tenant.name;
        this.logger.error({ tenant, err: result.reason, reason }, `cannot follow tenant ${tenant}; trying again on the next reload`);
      });
      this.logger.debug({ reason, tenants: [...ownedNames], published: this.publishedNames.length }, 'following mappings');
    } catch (error) {
      this.logger.error({ err: error, reason }, 'could not reload the mappings; keeping the current watches');
    }
  }

  private leaseOf(tenant: string): Lease | undefined {
    return this.shards.held(`${LEASE_PREFIX}${tenant}`);
  }

  private async watch(published: PublishedTenant): Promise<void> {
    const name = published.tenant.name;
    const lease = this.leaseOf(name);
    if (!lease) return;
    const spec = JSON.stringify(published.tenant.kubeconfig);
    const plan = watchPlan(published.mappings, 'tenant');
    let watch = this.watches.get(name);
    if (watch && (watch.spec !== spec || watch.token !== lease.token)) {
      await this.unwatch(name);
      watch = undefined;
    }
    const started = !watch;
    if (!watch) {
      watch = { spec, token: lease.token, watcher: await this.newWatcher(published, lease), keys: plan.keys };
      this.watches.set(name, watch);
      this.logger.info({ tenant: name, token: lease.token }, `watching tenant ${name}`);
    }
    watch.keys = plan.keys;
    // Its first list is compared with the snapshots a previous owner left: what changed meanwhile is enqueued.
    await watch.watcher.follow(plan, new Map([[name, published.tenant]]));
    // Mappings removed while nothing was running leave mirrors behind: sweep once they are known.
    if (started) this.sweepDue.add(name);
    if (this.sweepDue.has(name)) await this.sweepTenant(name);
  }

  private async newWatcher(published: PublishedTenant, lease: Lease): Promise<ClusterWatcher> {
    const name = published.tenant.name;
    const cluster = await this.clusters.tenant(published.tenant);
    const snapshots = this.redis.snapshots.fenced(this.redis.leases.fenceOf(lease));
    return new ClusterWatcher(cluster, tenantCluster(name), snapshots, {
      enqueue: (keys, cause) => this.sweep.enqueue(keys, `${cause} (tenant ${name})`),
      informerError: (namespace, resource, error, restartInMs) =>
        this.logger.warn({ tenant: name, namespace, resource, err: error, restartInMs }, `tenant ${resource} watch failed; restarting`),
      relisted: (namespace, resource) =>
        this.logger.info({ tenant: name, namespace, resource }, `tenant ${resource} watch in ${namespace} expired (410 Gone); listed again`),
      snapshotError: (namespace, error) => {
        if (error instanceof FencedError) {
          this.logger.warn({ tenant: name, token: lease.token }, `tenant ${name}: its lease was taken over; stopping its watch`);
          void this.reload(`lease of tenant ${name} lost`);
        } else this.logger.warn({ tenant: name, namespace, err: error }, 'could not write snapshots; retrying');
      },
      // Removals queued before Redis lost its data are gone with it: their mirrors are leftovers now.
      snapshotsLost: () => {
        this.sweepDue.add(name);
        void this.sweepTenant(name);
      },
    }, this.metrics);
  }

  private async unwatch(name: string): Promise<void> {
    const watch = this.watches.get(name);
    this.watches.delete(name);
    this.clusters.forget(name);
    await watch?.watcher.stop();
    if (watch) this.logger.info({ tenant: name }, `stopped watching tenant ${name}`);
  }

  private async sweepAll(): Promise<void> {
    for (const name of this.watches.keys()) await this.sweepTenant(name);
  }

  /** Sweeps a tenant this replica watches for leftover mirrors; one that is due stays due until a sweep succeeds. */
  private async sweepTenant(name: string): Promise<void> {
    const watch = this.watches.get(name);
    // Not published (yet, or again after Redis lost it): nothing is known to be a leftover.
    const published = watch && (await this.redis.mappings.get(name).catch(() => undefined));
    if (!watch || !published) return;
    if (await this.sweep.sweep(published, watch.keys)) this.sweepDue.delete(name);
  }
}
