import type { Subscription } from 'rxjs';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ClusterRegistry, type ClusterWatcher } from '@service-replicator/kube';
import { LeaseKeeper, LeaseStore, Membership, shardOfMember, type Lease } from '@service-replicator/leases';
import { watchPlan } from '@service-replicator/replication-config';
import { MappingStore, ReplicatorRedis, type MappingsReloader, type PublishedTenant } from '@service-replicator/replication-queue';
import { AnnouncementChannel, LOGGER, Readiness, REPLICA_ID, SerialRuns, Settings, type Logger } from '@service-replicator/runtime';
import { OrphanSweep } from './orphan-sweep';
import { TenantWatcherFactory } from './tenant-watcher.factory';

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
export class TenantWatcherService implements OnApplicationBootstrap, OnApplicationShutdown, MappingsReloader {
  private shards!: LeaseKeeper;
  private readonly watches = new Map<string, TenantWatch>();
  private readonly reloads = new SerialRuns((reason) => this.reloadNow(reason));
  /** The published tenants, as last read: the ones this replica may be assigned. */
  private publishedNames: readonly string[] = [];
  /** Tenants to sweep as soon as their mappings are known: at start, and after Redis lost its data. */
  private readonly sweepDue = new Set<string>();
  private readonly timers: NodeJS.Timeout[] = [];

  private resubscriptions: Subscription | undefined;

  constructor(
    private readonly settings: Settings,
    private readonly redis: ReplicatorRedis,
    private readonly mappings: MappingStore,
    private readonly leases: LeaseStore,
    private readonly membership: Membership,
    private readonly clusters: ClusterRegistry,
    private readonly watchers: TenantWatcherFactory,
    private readonly sweep: OrphanSweep,
    @Inject(REPLICA_ID) private readonly member: string,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly readiness: Readiness,
    private readonly announcements: AnnouncementChannel,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.readiness.add('informers', () => [...this.watches.values()].every((watch) => watch.watcher.healthy));
    const ttlMs = this.settings.LEASE_TTL_SECONDS * 1_000;
    const leaseNames = () => this.publishedNames.map((name) => `${LEASE_PREFIX}${name}`);
    this.shards = new LeaseKeeper(
      this.leases,
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
    // Announcements made while the subscription was reconnecting were lost: read what is published.
    this.resubscriptions = this.announcements.resubscribed$.subscribe(() => void this.reload('announcement channel resubscribed'));
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
    this.resubscriptions?.unsubscribe();
    this.timers.forEach(clearInterval);
    await this.reloads.idle();
    await Promise.all([...this.watches.keys()].map((name) => this.unwatch(name)));
    // Released at once, so the other replicas take these tenants over without waiting for expiry.
    await this.shards?.stop();
    await this.membership.leave(this.member).catch(() => undefined);
  }

  private async reloadNow(reason: string): Promise<void> {
    try {
      const tenants = await this.mappings.all();
      const known = new Set(this.publishedNames);
      this.publishedNames = tenants.map((tenant) => tenant.tenant.name);
      // A tenant published just now is taken at once, not at the next lease round (up to a fifth of the TTL later).
      if (this.publishedNames.some((name) => !known.has(name))) void this.shards.runRound();
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

  private newWatcher(published: PublishedTenant, lease: Lease): Promise<ClusterWatcher> {
    const name = published.tenant.name;
    return this.watchers.open(published, lease, {
      fenced: () => void this.reload(`lease of tenant ${name} lost`),
      // Removals queued before Redis lost its data are gone with it: their mirrors are leftovers now.
      snapshotsLost: () => {
        this.sweepDue.add(name);
        void this.sweepTenant(name);
      },
    });
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
    const published = watch && (await this.mappings.get(name).catch(() => undefined));
    if (!watch || !published) return;
    if (await this.sweep.sweep(published, watch.keys)) this.sweepDue.delete(name);
  }
}
