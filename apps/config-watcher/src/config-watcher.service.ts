import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ClusterClient, loadKubeConfig } from '@service-replicator/kube';
import {
  formatIssue,
  mappingKeyOf,
  networkPolicyWarnings,
  parseTenantConfig,
  parseTenantsFile,
  planFromConfig,
  planRetirement,
  type ConfigIssue,
  type TenantSpec,
} from '@service-replicator/replication-config';
import { ReplicatorRedis, type ConfigCheck, type PublishedTenant } from '@service-replicator/replication-queue';
import { LOGGER, Settings, tenantLimits, type Logger } from '@service-replicator/runtime';
import { ConfigSources, type SourceText } from './config-sources';
import { TenantPublisher } from './tenant-publisher';

type ParseResult = ReturnType<typeof parseTenantConfig>;

/** What Redis holds, read once per pass. */
interface RedisState {
  readonly published: ReadonlyMap<string, PublishedTenant>;
  readonly checks: ReadonlyMap<string, ConfigCheck>;
}

/**
 * Reads the tenants file and every tenant's vcluster.yaml, on start, on file events and every
 * CONFIG_POLL_MS, and makes what Redis holds match them (level-triggered: nothing is marked
 * handled, so a failed pass is simply done again, and state Redis lost is published again). An
 * invalid config changes nothing: the last good one stays in force. A removed entry (or tenant)
 * stays in force for REMOVAL_GRACE_SECONDS before its mirrors go.
 */
@Injectable()
export class ConfigWatcherService implements OnApplicationBootstrap, OnApplicationShutdown {
  private sources!: ConfigSources;
  /** The last good tenants file, paths resolved; undefined until one was read. */
  private tenants: readonly TenantSpec[] | undefined;
  private tenantsInput: string | undefined;
  /** Parse results by tenant, for the input they came from: an unchanged config is not parsed again. */
  private readonly parsed = new Map<string, { readonly input: string; readonly result: ParseResult }>();
  private readonly folderWatchers = new Map<string, FSWatcher>();
  private timer: NodeJS.Timeout | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
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
    const tenantsFile = this.settings.TENANTS_FILE;
    if (!tenantsFile) throw new Error('config-watcher needs TENANTS_FILE: the file that declares the tenants');
    const host = new ClusterClient('host', loadKubeConfig({ file: this.settings.HOST_KUBECONFIG }));
    this.sources = new ConfigSources(tenantsFile, host, this.settings.CONFIG_SETTLE_MS);
    await this.check('start');
    this.timer = setInterval(() => void this.check('poll'), this.settings.CONFIG_POLL_MS);
    this.resyncTimer = setInterval(() => void this.resync(), this.settings.RESYNC_INTERVAL_SECONDS * 1000);
    // Keys enqueued on the old server in its last moment may be gone: every key once, now.
    this.redis.onServerChange((reason) => {
      this.logger.warn({ reason }, 'Redis server changed; enqueueing every key once');
      void this.resync('resync after Redis server change');
    });
    this.watchFolder(dirname(tenantsFile));
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.resyncTimer);
    this.folderWatchers.forEach((watcher) => watcher.close());
    await this.running;
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
    const tenants = await this.readTenants();
    if (!tenants) return;
    // Files are read concurrently: one settle time per pass, not one per tenant.
    const [sources, state] = await Promise.all([Promise.all(tenants.map((tenant) => this.sources.readTenantConfig(tenant))), this.readRedis()]);
    await this.publisher.settleOwed();
    for (const [index, tenant] of tenants.entries()) await this.checkTenant(tenant, sources[index], state, reason);
    await this.retireRemovedTenants(tenants, state);
  }

  /** Cheap on every poll: the tenants' records and checks; mappings only where they are not known already. */
  private async readRedis(): Promise<RedisState> {
    const [records, checks] = await Promise.all([this.redis.mappings.records(), this.redis.mappings.checks()]);
    return { published: await this.publisher.publishedState(records), checks: new Map(checks.map((c) => [c.tenant, c])) };
  }

  /** The last good tenants file: a changed one that is invalid (or still being written) changes nothing. */
  private async readTenants(): Promise<readonly TenantSpec[] | undefined> {
    const source = await this.sources.readTenantsFile();
    if ('unsettled' in source) return this.tenants;
    const input = 'text' in source ? source.text : JSON.stringify(source.issue);
    if (input === this.tenantsInput) return this.tenants;
    this.tenantsInput = input;
    const { tenants, issues } = 'text' in source ? parseTenantsFile(source.text) : { tenants: undefined, issues: [source.issue] };
    if (!tenants) {
      const file = this.settings.TENANTS_FILE;
      this.logger.error({ file, issues }, `tenants file ${file} is invalid; keeping the last good one:\n${issues.map(formatIssue).join('\n')}`);
      return this.tenants;
    }
    this.tenants = tenants.map((tenant) => this.sources.resolvePaths(tenant));
    for (const tenant of this.tenants) if ('file' in tenant.config) this.watchFolder(dirname(tenant.config.file));
    return this.tenants;
  }

  private async checkTenant(tenant: TenantSpec, source: SourceText, state: RedisState, reason: string): Promise<void> {
    if ('unsettled' in source) return this.logger.debug({ tenant: tenant.name }, source.unsettled);
    const result = this.parse(tenant, source);
    const published = state.published.get(tenant.name);
    const plan = planFromConfig({ ...this.decisionInput(tenant.name, published), tenant, mappings: result.config?.mappings });
    const version = plan?.next ? await this.publisher.publish(plan.next, plan, `config ${reason}`) : published?.version;
    const warnings: ConfigIssue[] = result.config ? networkPolicyWarnings(result.config.networkPolicy, result.config.mappings, tenant) : [];
    const outcome = { tenant: tenant.name, valid: result.config !== undefined, issues: result.issues, warnings, versionInForce: version };
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
    try {
      const keys = (await this.redis.mappings.all()).flatMap((published) => published.mappings.map(mappingKeyOf));
      await this.redis.queue.enqueue(keys, cause);
    } catch (error) {
      this.logger.warn({ err: error }, 'resync failed; the next one tries again');
    }
  }

  /** A tenant gone from the tenants file keeps its mappings for the grace, then they are removed. */
  private async retireRemovedTenants(tenants: readonly TenantSpec[], state: RedisState): Promise<void> {
    const names = new Set(tenants.map((tenant) => tenant.name));
    const gone = new Set([...state.published.keys(), ...this.publisher.rememberedTenants()].filter((name) => !names.has(name)));
    for (const name of gone) {
      const plan = planRetirement(this.decisionInput(name, state.published.get(name)));
      const next = plan?.next;
      if (!plan || !next) continue;
      if (next.retireAt && !state.published.get(name)?.retireAt) {
        this.logger.warn({ tenant: name, retireAt: next.retireAt }, `tenant ${name} is gone from the tenants file; its mappings are removed at ${next.retireAt} unless it comes back`);
      }
      await this.publisher.publish(next, plan, 'tenant removed from the tenants file');
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
