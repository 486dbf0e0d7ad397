import { watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { ClusterClient, loadKubeConfig } from '@service-replicator/kube';
import {
  diffMappings,
  formatIssue,
  mappingKeyOf,
  networkPolicyWarnings,
  parseTenantConfig,
  parseTenantsFile,
  type ConfigIssue,
  type Mapping,
  type MappingDiff,
  type TenantSpec,
} from '@service-replicator/replication-config';
import { MAPPINGS_CHANGED, ReplicatorRedis, type MappingsChanged } from '@service-replicator/replication-queue';
import { LOGGER, Settings, tenantLimits, type Logger } from '@service-replicator/runtime';
import { ATTR, inSpan } from '@service-replicator/telemetry';
import { ConfigSources } from './config-sources';

export const ANNOUNCER = Symbol('ANNOUNCER');

/**
 * Reads the tenants file and every tenant's vcluster.yaml, on start, on file events and every
 * CONFIG_POLL_MS. A valid change is published (versioned) and its keys enqueued; an invalid one is
 * reported with paths and lines and changes nothing: the last good config stays in force.
 */
@Injectable()
export class ConfigWatcherService implements OnApplicationBootstrap, OnApplicationShutdown {
  private sources!: ConfigSources;
  private tenants: readonly TenantSpec[] | undefined;
  private tenantsText: string | undefined;
  /** What each tenant's config looked like when last handled: unchanged input is not re-parsed. */
  private readonly handled = new Map<string, string>();
  private readonly folderWatchers = new Map<string, FSWatcher>();
  private timer: NodeJS.Timeout | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly settings: Settings,
    private readonly redis: ReplicatorRedis,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(ANNOUNCER) private readonly announcer: ClientProxy,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const tenantsFile = this.settings.TENANTS_FILE;
    if (!tenantsFile) throw new Error('config-watcher needs TENANTS_FILE: the file that declares the tenants');
    this.sources = new ConfigSources(tenantsFile, new ClusterClient('host', loadKubeConfig({ file: this.settings.HOST_KUBECONFIG })));
    await this.check('start');
    this.timer = setInterval(() => void this.check('poll'), this.settings.CONFIG_POLL_MS);
    this.resyncTimer = setInterval(() => void this.resync(), this.settings.RESYNC_INTERVAL_SECONDS * 1000);
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
      .catch((error: unknown) => this.logger.error({ err: error, reason }, 'config check failed; will try again'))
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
    await this.readTenants();
    if (!this.tenants) return;
    for (const tenant of this.tenants) await this.checkTenant(tenant, reason);
    await this.retireRemovedTenants(this.tenants);
  }

  private async readTenants(): Promise<void> {
    const file = this.settings.TENANTS_FILE ?? '';
    const source = await this.sources.readTenantsFile();
    const text = 'text' in source ? source.text : undefined;
    if (text !== undefined && text === this.tenantsText) return;
    this.tenantsText = text;
    const { tenants, issues } = 'text' in source ? parseTenantsFile(source.text) : { tenants: undefined, issues: [{ path: '', message: source.error }] };
    if (tenants) {
      this.tenants = tenants.map((tenant) => this.sources.resolvePaths(tenant));
      for (const tenant of this.tenants) if ('file' in tenant.config) this.watchFolder(dirname(tenant.config.file));
      return;
    }
    this.logger.error({ file, issues }, `tenants file ${file} is invalid; keeping the last good one:\n${issues.map(formatIssue).join('\n')}`);
  }

  private async checkTenant(tenant: TenantSpec, reason: string): Promise<void> {
    const source = await this.sources.readTenantConfig(tenant);
    const fingerprint = JSON.stringify([tenant, 'text' in source ? source.text : source.error]);
    if (this.handled.get(tenant.name) === fingerprint) return;
    this.handled.set(tenant.name, fingerprint);
    const result = 'text' in source ? parseTenantConfig(source.text, tenant, tenantLimits(this.settings)) : { config: undefined, issues: [{ path: '', message: source.error }] };
    const published = await this.redis.mappings.get(tenant.name);
    if (!result.config) return this.reject(tenant, result.issues, published?.version);

    const diff = diffMappings(published?.mappings ?? [], result.config.mappings);
    const specChanged = JSON.stringify(published?.tenant) !== JSON.stringify(tenant);
    const changedKeys = [...diff.added, ...diff.changed, ...diff.removed].map(mappingKeyOf);
    let version = published?.version;
    if (!published || specChanged || changedKeys.length > 0) {
      // A changed tenant spec (kubeconfig, host namespace, mode) can change every mirror.
      const keys = specChanged ? [...new Set([...changedKeys, ...result.config.mappings.map(mappingKeyOf)])] : changedKeys;
      version = await this.publish(tenant, result.config.mappings, { keys, diff, reason });
    }
    const warnings = networkPolicyWarnings(result.config.networkPolicy, result.config.mappings, tenant);
    if (warnings.length > 0) {
      this.logger.warn({ tenant: tenant.name, warnings }, `tenant ${tenant.name}: config accepted with warnings:\n${warnings.map(formatIssue).join('\n')}`);
    }
    await this.redis.mappings.recordCheck({ tenant: tenant.name, valid: true, issues: [], warnings, checkedAt: new Date().toISOString(), versionInForce: version });
  }

  /** Each published change starts a trace, which the queue carries on to every pass it causes. */
  private publish(tenant: TenantSpec, mappings: readonly Mapping[], change: { keys: string[]; diff: MappingDiff; reason: string }): Promise<number> {
    const { keys, diff, reason } = change;
    const attributes = { [ATTR.tenant]: tenant.name, [ATTR.keys]: keys, [ATTR.cause]: `config ${reason}` };
    return inSpan('config change', attributes, async (span) => {
      const { version } = await this.redis.mappings.publish(tenant, mappings);
      span.setAttribute('replicator.mappings.version', version);
      await this.redis.queue.enqueue(keys, `config ${reason}`);
      this.announce({ tenant: tenant.name, version });
      this.logger.info(
        { tenant: tenant.name, version, added: diff.added.length, changed: diff.changed.length, removed: diff.removed.length },
        `tenant ${tenant.name}: published mappings version ${version}`,
      );
      return version;
    }, { root: true });
  }

  private async reject(tenant: TenantSpec, issues: readonly ConfigIssue[], versionInForce: number | undefined): Promise<void> {
    const kept = versionInForce === undefined ? 'nothing is replicated for it yet' : `version ${versionInForce} stays in force`;
    this.logger.error({ tenant: tenant.name, issues }, `tenant ${tenant.name}: config is invalid; ${kept}:\n${issues.map(formatIssue).join('\n')}`);
    await this.redis.mappings.recordCheck({ tenant: tenant.name, valid: false, issues, checkedAt: new Date().toISOString(), versionInForce });
  }

  /**
   * Every key once per RESYNC_INTERVAL_SECONDS, from here only (one pass per key, not one per
   * watcher): repairs anything an event did not. Passes read snapshots, so this costs the API servers
   * nothing, and a pass that finds its mirror in sync writes nothing.
   */
  async resync(): Promise<void> {
    try {
      const keys = (await this.redis.mappings.all()).flatMap((published) => published.mappings.map(mappingKeyOf));
      await this.redis.queue.enqueue(keys, 'resync');
    } catch (error) {
      this.logger.warn({ err: error }, 'resync failed; the next one tries again');
    }
  }

  /** A tenant removed from the tenants file: its entries are removed, so its fromHost mirrors go. */
  private async retireRemovedTenants(tenants: readonly TenantSpec[]): Promise<void> {
    const names = new Set(tenants.map((tenant) => tenant.name));
    for (const published of await this.redis.mappings.all()) {
      if (names.has(published.tenant.name) || published.mappings.length === 0) continue;
      const next = await this.redis.mappings.publish(published.tenant, []);
      await this.redis.queue.enqueue(published.mappings.map(mappingKeyOf), 'tenant removed');
      this.announce({ tenant: published.tenant.name, version: next.version });
      this.logger.info({ tenant: published.tenant.name }, `tenant ${published.tenant.name} removed from the tenants file; its mappings are removed`);
    }
  }

  private announce(change: MappingsChanged): void {
    this.announcer.emit(MAPPINGS_CHANGED, change).subscribe({
      error: (error: unknown) => this.logger.warn({ err: error }, 'announcement failed; watchers catch up on their next reload'),
    });
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
