import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HostObjectInformers, type VClusterDiscovery } from '@service-replicator/kube';
import { LeaseKeeper, LeaseStore, type Lease } from '@service-replicator/leases';
import { mappingKeyOf } from '@service-replicator/replication-config';
import { MappingStore, ReconcileQueue, ReplicatorRedis } from '@service-replicator/replication-queue';
import { LOGGER, REPLICA_ID, Settings, type Logger } from '@service-replicator/runtime';
import { ConfigChanges } from './config-changes';
import { ConfigPass } from './config-pass';
import { DISCOVERY } from './config-sources.providers';

const LEADER_LEASE = 'config-watcher';

/**
 * Runs the config passes (ConfigPass) on start, on file and watch events, every CONFIG_POLL_MS and
 * when a removal grace ends, one at a time; enqueues every key once per RESYNC_INTERVAL_SECONDS.
 * With two replicas, only the holder of the leader lease runs passes, and every publication is
 * checked against its fencing token in the same Redis script.
 */
@Injectable()
export class ConfigWatcherService implements OnApplicationBootstrap, OnApplicationShutdown {
  private leadership!: LeaseKeeper;
  /** The token of the leadership term this process last led in. */
  private ledWith: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  /** When passes started failing (Redis away, say); undefined while they succeed. */
  private failingSince: number | undefined;

  constructor(
    private readonly settings: Settings,
    private readonly redis: ReplicatorRedis,
    private readonly mappings: MappingStore,
    private readonly queue: ReconcileQueue,
    private readonly leases: LeaseStore,
    private readonly passes: ConfigPass,
    private readonly changes: ConfigChanges,
    private readonly objects: HostObjectInformers,
    @Inject(DISCOVERY) private readonly discovery: VClusterDiscovery | null,
    @Inject(REPLICA_ID) private readonly replica: string,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.changes.onChange((reason) => void this.check(reason));
    await this.discovery?.start();
    this.leadership = this.newLeadership();
    await this.leadership.start();
    await this.check('start');
    this.timer = setInterval(() => void this.check('poll'), this.settings.CONFIG_POLL_MS);
    this.resyncTimer = setInterval(() => void this.resync(), this.settings.RESYNC_INTERVAL_SECONDS * 1000);
    // Keys enqueued on the old server in its last moment may be gone: every key once, now.
    this.redis.onServerChange((reason) => {
      this.logger.warn({ reason }, 'Redis server changed; enqueueing every key once');
      void this.resync('resync after Redis server change');
    });
    if (this.settings.TENANTS_FILE) this.changes.watchFile(this.settings.TENANTS_FILE);
  }

  /**
   * The leader lease. What this process remembers of an earlier term stays: tenants are never removed
   * from Redis (a retired one stays, empty), so a record whose version moved on is read again, and
   * one missing means Redis lost it.
   */
  private newLeadership(): LeaseKeeper {
    const ttlMs = this.settings.LEASE_TTL_SECONDS * 1_000;
    return new LeaseKeeper(
      this.leases,
      this.replica,
      { ttlMs, renewEveryMs: ttlMs / 5 },
      () => [LEADER_LEASE],
      () => {
        const lease = this.leader();
        if (lease && lease.token !== this.ledWith) {
          this.ledWith = lease.token;
          this.logger.info({ token: lease.token }, 'config-watcher leads: publishing');
        } else if (!lease) this.logger.warn('config-watcher lost the leader lease: standing by');
        void this.check('leadership changed');
      },
      (error) => this.logger.warn({ err: error }, 'could not renew or take the leader lease; retrying'),
    );
  }

  private leader(): Lease | undefined {
    return this.leadership?.held(LEADER_LEASE);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.resyncTimer);
    clearTimeout(this.deadlineTimer);
    await this.running;
    await this.leadership?.stop();
    await this.objects.stop();
  }

  /** One pass at a time; a request during a pass makes one more pass after it. */
  check(reason: string): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.pass(reason)
      .then(() => this.passSucceeded(), (error: unknown) => this.passFailed(error, reason))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          void this.check('changed during the last check');
        }
      });
    return this.running;
  }

  private async pass(reason: string): Promise<void> {
    const lease = this.leader();
    if (!lease) return;
    const deadline = await this.passes.run(reason, this.leases.fenceOf(lease));
    clearTimeout(this.deadlineTimer);
    if (deadline !== undefined) this.deadlineTimer = setTimeout(() => void this.check('removal deadline'), Math.max(0, deadline - Date.now()) + 50);
  }

  /** A failing pass is logged once as an error (then at debug level), and its recovery once. */
  private passFailed(error: unknown, reason: string): void {
    if (this.failingSince === undefined) this.logger.error({ err: error, reason }, 'config check failed; every pass tries again');
    else this.logger.debug({ err: error, reason }, 'config check failed again');
    this.failingSince ??= Date.now();
  }

  private passSucceeded(): void {
    if (this.failingSince === undefined) return;
    this.logger.info({ failedForMs: Date.now() - this.failingSince }, 'config checks work again');
    this.failingSince = undefined;
  }

  /**
   * Every key once per RESYNC_INTERVAL_SECONDS, from here only (one pass per key, not one per
   * watcher): repairs anything an event did not. Passes read snapshots, so this costs the API servers
   * nothing, and a pass that finds its mirror in sync writes nothing.
   */
  async resync(cause = 'resync'): Promise<void> {
    if (!this.leader()) return;
    try {
      const keys = (await this.mappings.all()).flatMap((published) => published.mappings.map(mappingKeyOf));
      await this.queue.enqueue(keys, cause);
    } catch (error) {
      this.logger.warn({ err: error }, 'resync failed; the next one tries again');
    }
  }
}
