import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, type V1Service } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import { stringify } from 'yaml';
import { grantRoles, ReplicatorProcesses, startControlPlane, startRedis, type ControlPlane, type RedisServer } from '@service-replicator/control-plane-harness';
import { tenantHostGrants, type Mapping, type TenantSpec } from '@service-replicator/replication-config';
import { log } from './bench-log';
import { inParallel, SOURCE_NAMESPACE } from './scale-environment';

export const PREFIX = 'tenants';
/** Where every tenant's vcluster.yaml is, one ConfigMap per tenant. */
export const CONFIG_NAMESPACE = 'configs';

/** One tenant of a run: its name, the tenant API server it lives on, and its mappings. */
export interface BenchTenant {
  readonly name: string;
  readonly server: number;
  readonly mappings: readonly Mapping[];
}

/**
 * The tenants benchmark's servers: a host, two tenant control planes and Redis; `perTenant` host
 * Services every tenant mirrors; and, per run, N tenants spread over the two tenant API servers,
 * each mirroring every source into a namespace of its own.
 */
export class TenantsEnvironment {
  private replicator?: ReplicatorProcesses;
  sources: V1Service[] = [];

  private constructor(readonly dir: string, readonly host: ControlPlane, readonly tenantServers: readonly ControlPlane[], readonly redisServer: RedisServer, readonly redis: Redis) {}

  static async start(): Promise<TenantsEnvironment> {
    const dir = await mkdtemp(join(tmpdir(), 'sr-tenants-bench-'));
    const [host, a, b, redisServer] = await Promise.all([startControlPlane({ name: 'host' }), startControlPlane({ name: 'tenant-1' }), startControlPlane({ name: 'tenant-2' }), startRedis()]);
    const redis = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
    redis.on('error', () => undefined);
    return new TenantsEnvironment(dir, host, [a, b], redisServer, redis);
  }

  async createSources(count: number): Promise<void> {
    const core = this.host.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: SOURCE_NAMESPACE } } });
    await core.createNamespace({ body: { metadata: { name: CONFIG_NAMESPACE } } });
    this.sources = await inParallel(Array.from({ length: count }, (_, i) => `svc-${i}`), 8, (name) =>
      core.createNamespacedService({ namespace: SOURCE_NAMESPACE, body: { metadata: { name }, spec: { ports: [{ name: 'http', port: 80 }] } } }),
    );
  }

  /**
   * The tenants of one run (`<run>-t<i>`), tenant i on server i mod 2: their namespaces, and their
   * host identities and Roles (the writer acts as them), as the Helm chart makes them.
   */
  async createTenants(run: string, count: number): Promise<BenchTenant[]> {
    const tenants = Array.from({ length: count }, (_, i): BenchTenant => {
      const name = `${run}-t${i}`;
      const mappings = this.sources.map((source): Mapping => ({
        tenant: name,
        direction: 'fromHost',
        source: { namespace: SOURCE_NAMESPACE, name: source.metadata?.name ?? '' },
        target: { namespace: name, name: source.metadata?.name ?? '' },
      }));
      return { name, server: i % this.tenantServers.length, mappings };
    });
    const hostCore = this.host.kubeConfig.makeApiClient(CoreV1Api);
    const cores = this.tenantServers.map((server) => server.kubeConfig.makeApiClient(CoreV1Api));
    await inParallel(tenants, 8, async (tenant) => {
      await hostCore.createNamespace({ body: { metadata: { name: `vc-${tenant.name}` } } });
      await cores[tenant.server].createNamespace({ body: { metadata: { name: tenant.name } } });
      if (!run.startsWith('floor')) await grantRoles(this.host.kubeConfig, tenantHostGrants(this.specOf(tenant)));
    });
    log(`created the namespaces of ${count} tenants (${run})`);
    return tenants;
  }

  /**
   * Starts the four apps (and `tenantWatchers - 1` more tenant-watchers) on an emptied Redis with a
   * tenants file that declares no tenant yet; each tenant's vcluster.yaml is in a host ConfigMap
   * already (`configs/<tenant>`, key vcluster.yaml: config-watcher watches them, one namespace).
   * Returns the rewrite of the tenants file with every tenant, which starts the measurement.
   */
  async startApps(run: string, tenants: readonly BenchTenant[], tenantWatchers: number, env: Readonly<Record<string, string>>): Promise<() => Promise<void>> {
    await this.redis.flushall();
    const dir = join(this.dir, run);
    await mkdir(dir);
    await inParallel(tenants, 8, (tenant) => this.writeConfig(tenant, tenant.mappings, 'create'));
    const tenantsFile = join(dir, 'tenants.yaml');
    await writeFile(tenantsFile, stringify({ tenants: [] }));
    this.replicator = await ReplicatorProcesses.start({ hostKubeconfig: this.host.kubeconfigPath, tenantsFile, redisUrl: this.redisServer.url, prefix: PREFIX, env, logDir: dir });
    for (let extra = 1; extra < tenantWatchers; extra++) await this.replicator.startReplica('tenant-watcher');
    return () => writeFile(tenantsFile, stringify({ tenants: tenants.map((tenant) => this.specOf(tenant)) }));
  }

  /** A tenant's entry in the tenants file: its config in a ConfigMap, its sources allowed from `shared`. */
  specOf(tenant: BenchTenant): TenantSpec {
    return {
      name: tenant.name,
      hostNamespace: `vc-${tenant.name}`,
      kubeconfig: { file: this.tenantServers[tenant.server].kubeconfigPath },
      allowedHostNamespaces: [],
      fromHostNamespaces: [SOURCE_NAMESPACE],
      config: { configMap: { namespace: CONFIG_NAMESPACE, name: tenant.name, key: 'vcluster.yaml' } },
      toHostMode: 'selector',
    };
  }

  /** A tenant's vcluster.yaml, in its ConfigMap. */
  async writeConfig(tenant: BenchTenant, mappings: readonly Mapping[], how: 'create' | 'replace'): Promise<void> {
    const fromHost = mappings.map((m) => ({ from: `${m.source.namespace}/${m.source.name}`, to: `${m.target.namespace}/${m.target.name}` }));
    const body = { metadata: { name: tenant.name }, data: { 'vcluster.yaml': stringify({ networking: { replicateServices: { fromHost } } }) } };
    const core = this.host.kubeConfig.makeApiClient(CoreV1Api);
    if (how === 'create') await core.createNamespacedConfigMap({ namespace: CONFIG_NAMESPACE, body });
    else await core.replaceNamespacedConfigMap({ namespace: CONFIG_NAMESPACE, name: tenant.name, body });
  }

  get apps(): ReplicatorProcesses {
    if (!this.replicator) throw new Error('the apps are not running');
    return this.replicator;
  }

  async stopApps(): Promise<void> {
    await this.replicator?.stop();
    this.replicator = undefined;
  }

  async stop(): Promise<void> {
    await this.stopApps();
    this.redis.disconnect();
    await Promise.all([this.host.stop(), ...this.tenantServers.map((server) => server.stop()), this.redisServer.stop()]);
    await rm(this.dir, { recursive: true, force: true });
  }
}
