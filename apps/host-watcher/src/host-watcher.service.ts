import type { Subscription } from 'rxjs';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { LeaseKeeper, LeaseStore, type Lease } from '@service-replicator/leases';
import { mappingKeyOf, watchPlan } from '@service-replicator/replication-config';
import { MappingStore, ReplicatorRedis, type MappingsReloader, type PublishedTenant } from '@service-replicator/replication-queue';
import type { TenantPodsWanted } from '@service-replicator/kube';
import { effectiveToHostMode } from '@service-replicator/service-translation';
import { AnnouncementChannel, LOGGER, Readiness, REPLICA_ID, SerialRuns, Settings, type Logger } from '@service-replicator/runtime';
import { HostTermFactory, type HostTerm } from './host-term.factory';

/** Announcements can be missed (pub/sub has no memory): the published mappings are re-read this often. */
const RELOAD_MS = 30_000;
const LEADER_LEASE = 'host-watcher';

/**
 * Watches the host cluster for every tenant at once: fromHost sources (and their EndpointSlices)
 * and toHost targets (to repair drift), keeping their snapshots for the writer's passes; and the
 * pods of tenants whose toHost mirrors copy endpoints, so those keep only the tenant's own pods.
 * With two replicas, the one holding the leader lease watches and the other stands by; every
 * snapshot write carries the lease's fencing token, so a leader that lost the lease writes nothing more.
 */
@Injectable()
export class HostWatcherService implements OnApplicationBootstrap, OnApplicationShutdown, MappingsReloader {
  private leadership!: LeaseKeeper;
  /** The watchers of the current leadership term, and that term's token. */
  private term: HostTerm | undefined;
  private readonly reloads = new SerialRuns((reason) => this.reloadNow(reason));
  private timer: NodeJS.Timeout | undefined;

  private resubscriptions: Subscription | undefined;

  constructor(
    private readonly settings: Settings,
    private readonly redis: ReplicatorRedis,
    private readonly mappings: MappingStore,
    private readonly leases: LeaseStore,
    private readonly terms: HostTermFactory,
    @Inject(REPLICA_ID) private readonly replica: string,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly readiness: Readiness,
    private readonly announcements: AnnouncementChannel,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // A stand-by is ready: it has nothing to sync until it leads.
    this.readiness.add('informers', () => (this.term ? this.term.watcher.healthy && this.term.pods.healthy : true));
    const ttlMs = this.settings.LEASE_TTL_SECONDS * 1_000;
    this.leadership = new LeaseKeeper(
      this.leases,
      this.replica,
      { ttlMs, renewEveryMs: ttlMs / 5 },
      () => [LEADER_LEASE],
      () => void this.reload('leadership changed'),
      (error) => this.logger.warn({ err: error }, 'could not renew or take the leader lease; retrying'),
    );
    await this.leadership.start();
    this.redis.onServerChange((reason) => {
      this.logger.warn({ reason }, 'Redis server changed; writing every snapshot and pod address again from the caches');
      this.term?.watcher.rewriteSnapshots();
      this.term?.pods.rewriteSnapshots();
    });
    await this.reload('start');
    // Announcements made while the subscription was reconnecting were lost: read what is published.
    this.resubscriptions = this.announcements.resubscribed$.subscribe(() => void this.reload('announcement channel resubscribed'));
    this.timer = setInterval(() => void this.reload('periodic reload'), RELOAD_MS);
  }

  /** One reload at a time; requests meanwhile make one more after it. */
  reload(reason: string): Promise<void> {
    return this.reloads.request(reason);
  }

  private async reloadNow(reason: string): Promise<void> {
    const lease = this.leadership.held(LEADER_LEASE);
    if (this.term && this.term.token !== lease?.token) await this.stepDown();
    if (!lease) return;
    try {
      const term = this.term ?? this.lead(lease);
      const published = await this.mappings.all();
      const plan = watchPlan(published.flatMap((tenant) => tenant.mappings), 'host');
      await term.watcher.follow(plan, new Map(published.map((tenant) => [tenant.tenant.name, tenant.tenant])));
      await term.pods.follow(published.flatMap(podsWanted));
      this.logger.debug({ reason, namespaces: plan.namespaces, keys: plan.keys.length }, 'following mappings');
    } catch (error) {
      this.logger.error({ err: error, reason }, 'could not reload the mappings; keeping the current watches');
    }
  }

  private lead(lease: Lease): HostTerm {
    this.term = this.terms.open(lease, () => void this.leadership.runRound());
    this.logger.info({ token: lease.token }, 'host-watcher leads: watching the host cluster');
    return this.term;
  }

  private async stepDown(): Promise<void> {
    const term = this.term;
    this.term = undefined;
    await term?.watcher.stop();
    await term?.pods.stop();
    this.logger.warn({ token: term?.token }, 'host-watcher lost the leader lease: stopped watching (standing by)');
  }

  async onApplicationShutdown(): Promise<void> {
    this.resubscriptions?.unsubscribe();
    clearInterval(this.timer);
    await this.reloads.idle();
    await this.term?.watcher.stop();
    await this.term?.pods.stop();
    this.term = undefined;
    await this.leadership?.stop();
  }
}

/** A tenant whose toHost mirrors copy endpoint addresses: its pods are followed, for those keys. */
function podsWanted(published: PublishedTenant): TenantPodsWanted[] {
  const { tenant } = published;
  const keys = published.mappings.filter((m) => m.direction === 'toHost' && effectiveToHostMode(m, tenant) === 'endpoints').map(mappingKeyOf);
  return keys.length > 0 ? [{ tenant, keys }] : [];
}
