import { createHash, randomUUID } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ALL_NAMESPACES, ClusterClient, HostObjectInformers, loadKubeConfig, VClusterDiscovery } from '@service-replicator/kube';
import { LeaseKeeper, type Fence, type Lease } from '@service-replicator/leases';
import {
  mappingKeyOf,
  networkPolicyWarnings,
  nextDeadline,
  parseTenantConfig,
  planFromConfig,
  planRetirement,
  type ConfigIssue,
  type TenantSpec,
} from '@service-replicator/replication-config';
import { ReplicatorRedis, type ConfigCheck, type PublishedTenant } from '@service-replicator/replication-queue';
import { LOGGER, Settings, tenantLimits, type Logger } from '@service-replicator/runtime';
import { ConfigSources, type SourceText } from './config-sources';
import { TenantPublisher } from './tenant-publisher';
import { TenantSources, type TenantList } from './tenant-sources';

const LEADER_LEASE = 'config-watcher';

type ParseResult = ReturnType<typeof parseTenantConfig>;

/** What Redis holds, read once per pass. */
interface RedisState {
  readonly published: ReadonlyMap<string, PublishedTenant>;
  readonly checks: ReadonlyMap<string, ConfigCheck>;
}

/**
 * Reads the tenants (tenants file, vCluster discovery) and every tenant's vcluster.yaml, on start,
 * on file and watch events and every CONFIG_POLL_MS, and makes what Redis holds match them
 * (level-triggered: nothing is marked handled, so a failed pass is simply done again, and state
 * Redis lost is published again). An invalid config changes nothing: the last good one stays in
 * force. A removed entry (or tenant) stays in force for REMOVAL_GRACE_SECONDS before its mirrors
 * go. With two replicas, only the holder of the leader lease runs passes, and every publication is
 * checked against its fencing token in the same Redis script.
 */
@Injectable()
export class ConfigWatcherService implements OnApplicationBootstrap, OnApplicationShutdown {
  private sources!: ConfigSources;
  private tenantSources!: TenantSources;
  private objects!: HostObjectInformers;
  private leadership!: LeaseKeeper;
  /** The token of the leadership term this process last led in. */
  private ledWith: number | undefined;
  /** Parse results by tenant, for the input they came from: an unchanged config is not parsed again. */
  private readonly parsed = new Map<string, { readonly input: string; readonly result: ParseResult }>();
  private readonly folderWatchers = new Map<string, FSWatcher>();
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
    private readonly publisher: TenantPublisher,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { DISCOVERY_NAMESPACES: searched } = this.settings;
    const tenantsFile = this.settings.TENANTS_FILE || undefined;
    if (!tenantsFile && !searched) {
      throw new Error('config-watcher needs TENANTS_FILE (the file that declares the tenants), DISCOVERY_NAMESPACES (where to find vClusters), or both');
    }
    const host = new ClusterClient('host', loadKubeConfig({ file: this.settings.HOST_KUBECONFIG }));
    this.objects = new HostObjectInformers(host, () => void this.check('config source changed'), (kind, namespace, error) =>
      this.logger.warn({ kind, namespace, err: error }, `watch of ${kind}s in ${namespace} failed; restarting`));
    const discovery = searched ? new VClusterDiscovery(this.objects, {
      namespaces: searched === ALL_NAMESPACES ? ALL_NAMESPACES : searched.split(','),
      labelSelector: this.settings.DISCOVERY_LABEL_SELECTOR,
      serverTemplate: this.settings.DISCOVERY_SERVER,
    }) : undefined;
    this.sources = new ConfigSources(tenantsFile, this.objects, this.settings.CONFIG_SETTLE_MS, discovery);
    this.tenantSources = new TenantSources(this.sources, discovery, this.logger, (folder) => this.watchFolder(folder));
    await discovery?.start();
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
    if (tenantsFile) this.watchFolder(dirname(tenantsFile));
  }

  /**
   * The leader lease. What this process remembers of an earlier term stays: tenants are never removed
   * from Redis (a retired one stays, empty), so a record whose version moved on is read again, and
   * one missing means Redis lost it.
   */
  private newLeadership(): LeaseKeeper {
    const ttlMs = this.settings.LEASE_TTL_SECONDS * 1_000;
    return new LeaseKeeper(
      this.redis.leases,
      `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`,
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
    this.folderWatchers.forEach((watcher) => watcher.close());
    await this.running;
    await this.leadership?.stop();
    await this.objects?.stop();
    await this.redis.close();
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

  private async pass(reason: string): Promise<void> {
    const lease = this.leader();
    if (!lease) return;
    const list = await this.tenantSources.read();
    const { tenants } = list;
    const fence = this.redis.leases.fenceOf(lease);
    // Files are read concurrently: one settle time per pass, not one per tenant.
    const [sources, state] = await Promise.all([Promise.all(tenants.map((tenant) => this.sources.readTenantConfig(tenant))), this.readRedis()]);
    await this.publisher.settleOwed();
    for (const [index, tenant] of tenants.entries()) await this.checkTenant(tenant, sources[index], state, reason, list.specIssues.get(tenant.name) ?? [], fence);
    await this.reportUnbuiltTenants(list, state);
    if (list.complete) await this.retireRemovedTenants(tenants, state, fence);
    this.lookAgainAtNextDeadline();
  }

  /** A removal grace that ends between two polls is acted on when it ends, not at the next poll. */
  private lookAgainAtNextDeadline(): void {
    const deadlines = this.publisher.rememberedTenants().flatMap((tenant) => {
      const record = this.publisher.rememberedFor(tenant);
      const deadline = record && nextDeadline(record);
      return deadline === undefined ? [] : [deadline];
    });
    clearTimeout(this.deadlineTimer);
    if (deadlines.length === 0) return;
    this.deadlineTimer = setTimeout(() => void this.check('removal deadline'), Math.max(0, Math.min(...deadlines) - Date.now()) + 50);
  }

  /** A discovered vCluster whose tenant could not be built at all (never good): its issues are its check. */
  private async reportUnbuiltTenants(list: TenantList, state: RedisState): Promise<void> {
    const built = new Set(list.tenants.map((tenant) => tenant.name));
    for (const [tenant, issues] of list.specIssues) {
      if (!built.has(tenant)) await this.publisher.recordCheck({ tenant, valid: false, issues, warnings: [] }, state.checks.get(tenant));
    }
  }

  /** Cheap on every poll: the tenants' records and checks; mappings only where they are not known already. */
  private async readRedis(): Promise<RedisState> {
    const [records, checks] = await Promise.all([this.redis.mappings.records(), this.redis.mappings.checks()]);
    return { published: await this.publisher.publishedState(records), checks: new Map(checks.map((c) => [c.tenant, c])) };
  }

  private async checkTenant(tenant: TenantSpec, source: SourceText, state: RedisState, reason: string, specIssues: readonly ConfigIssue[], fence: Fence): Promise<void> {
    if ('unsettled' in source) return this.logger.debug({ tenant: tenant.name }, source.unsettled);
    const result = this.parse(tenant, source);
    const published = state.published.get(tenant.name);
    const plan = planFromConfig({ ...this.decisionInput(tenant.name, published), tenant, mappings: result.config?.mappings });
    const version = plan?.next ? await this.publisher.publish(plan.next, plan, `config ${reason}`, fence) : published?.version;
    const warnings: ConfigIssue[] = result.config ? networkPolicyWarnings(result.config.networkPolicy, result.config.mappings, tenant) : [];
    // A spec problem (a discovered vCluster's bad annotation, a clashing name) is reported with the
    // config's own issues; the spec in force is the last good one.
    const issues = [...specIssues, ...result.issues];
    const outcome = { tenant: tenant.name, valid: result.config !== undefined && specIssues.length === 0, issues, warnings, versionInForce: version };
    await this.publisher.recordCheck(outcome, state.checks.get(tenant.name));
  }

  private parse(tenant: TenantSpec, source: Exclude<SourceText, { unsettled: string }>): ParseResult {
    const input = createHash('sha256').update(JSON.stringify([tenant, 'text' in source ? source.text : source.issue])).digest('hex');
    const cached = this.parsed.get(tenant.name);
    if (cached?.input === input) return cached.result;
    const result = 'text' in source ? parseTenantConfig(source.text, tenant, tenantLimits(this.settings)) : { issues: [source.issue] };
    this.parsed.set(tenant.name, { input, result });
    return result;
  }

  /**
   * Every key once per RESYNC_INTERVAL_SECONDS, from here only (one pass per key, not one per
   * watcher): repairs anything an event did not. Passes read snapshots, so this costs the API servers
   * nothing, and a pass that finds its mirror in sync writes nothing.
   */
  async resync(cause = 'resync'): Promise<void> {
    if (!this.leader()) return;
    try {
      const keys = (await this.redis.mappings.all()).flatMap((published) => published.mappings.map(mappingKeyOf));
      await this.redis.queue.enqueue(keys, cause);
    } catch (error) {
      this.logger.warn({ err: error }, 'resync failed; the next one tries again');
    }
  }

  /** A tenant gone from the tenants file (or no longer discovered) keeps its mappings for the grace, then they are removed. */
  private async retireRemovedTenants(tenants: readonly TenantSpec[], state: RedisState, fence: Fence): Promise<void> {
    const names = new Set(tenants.map((tenant) => tenant.name));
    const gone = new Set([...state.published.keys(), ...this.publisher.rememberedTenants()].filter((name) => !names.has(name)));
    for (const name of gone) {
      const plan = planRetirement(this.decisionInput(name, state.published.get(name)));
      const next = plan?.next;
      if (!plan || !next) continue;
      if (next.retireAt && !state.published.get(name)?.retireAt) {
        this.logger.warn({ tenant: name, retireAt: next.retireAt }, `tenant ${name} is gone (tenants file, discovery); its mappings are removed at ${next.retireAt} unless it comes back`);
      }
      await this.publisher.publish(next, plan, 'tenant removed', fence);
    }
  }

  private decisionInput(tenant: string, published: PublishedTenant | undefined) {
    return { published, remembered: this.publisher.rememberedFor(tenant), now: Date.now(), graceMs: this.settings.REMOVAL_GRACE_SECONDS * 1_000 };
  }

  /** Editors replace files rather than write them in place, so the folder is watched, not the file. */
  private watchFolder(folder: string): void {
    if (this.folderWatchers.has(folder)) return;
    try {
      this.folderWatchers.set(folder, watch(folder, () => void this.check('file changed')));
    } catch (error) {
      this.logger.warn({ folder, err: error }, 'cannot watch folder; relying on polling');
    }
  }
}
