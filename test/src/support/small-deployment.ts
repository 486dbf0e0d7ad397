import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import { stringify } from 'yaml';
import { grantRoles, ReplicatorProcesses, startControlPlane, startRedis, type ControlPlane, type RedisServer } from '@service-replicator/control-plane-harness';
import { tenantHostGrants, type TenantSpec } from '@service-replicator/replication-config';
import { eventually } from './wait';

/**
 * A host and one tenant control plane, Redis and a folder: what the tests of many tenants, replicas
 * and discovery share (several tenants may live on the one tenant API server). `startApps` runs the
 * four apps with a tenants file the test wrote into `dir`.
 */
export class SmallDeployment {
  apps!: ReplicatorProcesses;

  private constructor(
    readonly prefix: string,
    readonly dir: string,
    readonly host: ControlPlane,
    readonly tenant: ControlPlane,
    readonly redisServer: RedisServer,
    readonly redis: Redis,
    readonly hostCore: CoreV1Api,
    readonly tenantCore: CoreV1Api,
  ) {}

  static async start(prefix: string): Promise<SmallDeployment> {
    const dir = await mkdtemp(join(tmpdir(), `sr-${prefix}-`));
    const [host, tenant, redisServer] = await Promise.all([startControlPlane({ name: 'host' }), startControlPlane({ name: 'tenant' }), startRedis()]);
    const core = (plane: ControlPlane) => plane.kubeConfig.makeApiClient(CoreV1Api);
    return new SmallDeployment(prefix, dir, host, tenant, redisServer, new Redis(redisServer.url), core(host), core(tenant));
  }

  /**
   * A tenant on the one tenant API server (kubeconfig file), its fromHost sources allowed from
   * `shared`, with its host identity and Roles made as the Helm chart makes them (tenantHostGrants):
   * the writer acts as that identity.
   */
  async grantTenant(name: string, config: TenantSpec['config'], extra: Partial<TenantSpec> = {}): Promise<TenantSpec> {
    const spec: TenantSpec = {
      name,
      hostNamespace: `vc-${name}`,
      kubeconfig: { file: this.tenant.kubeconfigPath },
      allowedHostNamespaces: [],
      fromHostNamespaces: ['shared'],
      config,
      toHostMode: 'selector',
      ...extra,
    };
    await grantRoles(this.host.kubeConfig, tenantHostGrants(spec));
    return spec;
  }

  /** Writes the tenants file config-watcher reads. */
  async writeTenantsFile(tenants: readonly TenantSpec[]): Promise<void> {
    await writeFile(join(this.dir, 'tenants.yaml'), stringify({ tenants }));
  }

  async startApps(env: Readonly<Record<string, string>>): Promise<ReplicatorProcesses> {
    const options = { hostKubeconfig: this.host.kubeconfigPath, tenantsFile: join(this.dir, 'tenants.yaml'), redisUrl: this.redisServer.url, prefix: this.prefix, logDir: this.dir };
    this.apps = await ReplicatorProcesses.start({ ...options, env: { CONFIG_SETTLE_MS: '100', LOG_LEVEL: 'debug', ...env } });
    return this.apps;
  }

  /** Resolves once the writer reports the key in sync. */
  inSync(key: string, timeoutMs = 60_000): Promise<true> {
    return eventually(async () => {
      const raw = await this.redis.hget(`${this.prefix}:replicator:status`, key);
      return raw && (JSON.parse(raw) as { state: string }).state === 'in-sync' ? true : undefined;
    }, timeoutMs);
  }

  async stop(): Promise<void> {
    this.redis.disconnect();
    await this.apps?.stop();
    await Promise.all([this.host.stop(), this.tenant.stop(), this.redisServer.stop()]);
    await rm(this.dir, { recursive: true, force: true });
  }
}
