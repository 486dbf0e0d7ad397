import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import { stringify } from 'yaml';
import { tenantHostGrants, type TenantSpec } from '@service-replicator/replication-config';
import {
  grantRoles,
  ReplicatorProcesses,
  startControlPlane,
  startRedis,
  type ControlPlane,
  type RedisServer,
} from '@service-replicator/control-plane-harness';

export const TENANT = 'a';
export type ToHostMode = 'selector' | 'endpoints';
export const TENANT_HOST_NAMESPACE = 'vc-a';

export interface ReplicateServices {
  readonly fromHost: readonly { from: string; to: string }[];
  readonly toHost: readonly { from: string; to: string }[];
}

/** A tenant config with no entries yet: an empty file is refused (it looks like a truncated one). */
export const NO_ENTRIES = stringify({ networking: { replicateServices: { fromHost: [], toHost: [] } } });

/** Settings the apps run with, written into the report so a figure can be tied to them. */
export const APP_ENV: Readonly<Record<string, string>> = {
  // How soon config-watcher sees a config edit; only the set-up waits on it, never a measurement.
  CONFIG_POLL_MS: '200',
  // A periodic full resync is a separate load; keep it out of a ~1-minute measurement.
  RESYNC_INTERVAL_SECONDS: '3600',
  LOG_LEVEL: 'info',
};

/**
 * What the benchmark runs against: a host and one tenant control plane, Redis, and the four apps
 * as processes from their real entry points, as an operator would deploy them. One tenant is
 * enough: the path a change takes does not depend on how many tenants there are.
 */
export class BenchEnvironment {
  private readonly stops: (() => Promise<void>)[] = [];
  private starts = 0;
  host?: ControlPlane;
  tenant?: ControlPlane;
  redisServer?: RedisServer;
  redis?: Redis;
  replicator?: ReplicatorProcesses;
  readonly prefix = 'bench';

  private constructor(readonly dir: string, readonly toHostMode: ToHostMode) {}

  /** Starts everything; on failure stops what did start, so the caller's finally has nothing left. */
  static async start(toHostMode: ToHostMode): Promise<BenchEnvironment> {
    const env = new BenchEnvironment(await mkdtemp(join(tmpdir(), 'sr-bench-')), toHostMode);
    try {
      await env.startServers();
      await env.writeTenantsFile();
      await env.startApps();
      return env;
    } catch (error) {
      await env.stop();
      throw error;
    }
  }

  get hostCore(): CoreV1Api {
    return this.required(this.host).kubeConfig.makeApiClient(CoreV1Api);
  }

  get tenantCore(): CoreV1Api {
    return this.required(this.tenant).kubeConfig.makeApiClient(CoreV1Api);
  }

  get configFile(): string {
    return join(this.dir, `${TENANT}.vcluster.yaml`);
  }

  /** Writes the tenant's vcluster.yaml; config-watcher picks it up without a restart. */
  async configure(replicateServices: ReplicateServices): Promise<void> {
    await writeFile(this.configFile, stringify({ networking: { replicateServices } }));
  }

  /** Stops in reverse order of starting; every step runs even if an earlier one fails. */
  async stop(): Promise<void> {
    for (const stop of this.stops.splice(0).reverse()) await stop().catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }

  private async startServers(): Promise<void> {
    const started = await Promise.allSettled([startControlPlane({ name: 'host' }), startControlPlane({ name: 'tenant-a' }), startRedis()]);
    for (const result of started) if (result.status === 'fulfilled') this.stops.push(() => result.value.stop());
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    const [host, tenant, redisServer] = started.map((result) => (result as PromiseFulfilledResult<unknown>).value);
    this.host = host as ControlPlane;
    this.tenant = tenant as ControlPlane;
    this.redisServer = redisServer as RedisServer;
    const redis = new Redis(this.redisServer.url, { maxRetriesPerRequest: 1 });
    // Failed commands still reject; this only keeps ioredis from also printing every reconnect attempt.
    redis.on('error', () => undefined);
    this.redis = redis;
    this.stops.push(async () => redis.disconnect());
    for (const name of ['shared', TENANT_HOST_NAMESPACE]) await this.hostCore.createNamespace({ body: { metadata: { name } } });
  }

  /**
   * Restarts the four apps with more environment (the tracing comparison's OTEL_* variables),
   * against the same servers, Redis and config, so only the apps' own settings differ.
   */
  async restartApps(extraEnv: Readonly<Record<string, string>> = {}): Promise<void> {
    await this.replicator?.stop();
    this.replicator = undefined;
    await this.startApps(extraEnv);
  }

  private get tenantsFile(): string {
    return join(this.dir, 'tenants.yaml');
  }

  private async writeTenantsFile(): Promise<void> {
    const tenant = this.required(this.tenant);
    const spec: TenantSpec = {
      name: TENANT,
      hostNamespace: TENANT_HOST_NAMESPACE,
      fromHostNamespaces: ['shared'],
      allowedHostNamespaces: [],
      kubeconfig: { file: tenant.kubeconfigPath },
      config: { file: this.configFile },
      toHostMode: this.toHostMode,
    };
    await writeFile(this.tenantsFile, stringify({ tenants: [spec] }));
    await writeFile(this.configFile, NO_ENTRIES);
    // The tenant's host identity, which the writer acts as, and its Roles (what the Helm chart creates).
    await grantRoles(this.required(this.host).kubeConfig, tenantHostGrants(spec));
  }

  private async startApps(extraEnv: Readonly<Record<string, string>> = {}): Promise<void> {
    // A folder per start: the harness finds an app's "ready" line in its log file, so a restart needs fresh files.
    this.starts += 1;
    const logDir = join(this.dir, `apps-${this.starts}`);
    await mkdir(logDir);
    const replicator = await ReplicatorProcesses.start({
      hostKubeconfig: this.required(this.host).kubeconfigPath,
      tenantsFile: this.tenantsFile,
      redisUrl: this.required(this.redisServer).url,
      prefix: this.prefix,
      env: { ...APP_ENV, ...extraEnv },
      logDir,
    });
    this.replicator = replicator;
    this.stops.push(() => replicator.stop());
  }

  private required<T>(value: T | undefined): T {
    if (value === undefined) throw new Error('the bench environment is not started');
    return value;
  }
}
