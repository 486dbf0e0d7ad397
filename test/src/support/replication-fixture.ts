import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, DiscoveryV1Api, type KubeConfig } from '@kubernetes/client-node';
import { Redis, type Cluster } from 'ioredis';
import { stringify } from 'yaml';
import { tenantHostGrants, type TenantSpec } from '@service-replicator/replication-config';
import {
  grantRoles,
  ReplicatorProcesses,
  startControlPlane,
  startRedis,
  type ControlPlane,
  type RedisDeployment,
  type RedisServer,
} from '@service-replicator/control-plane-harness';

export interface TenantFixture {
  readonly name: string;
  readonly hostNamespace: string;
  readonly cluster: ControlPlane;
  readonly core: CoreV1Api;
  readonly discovery: DiscoveryV1Api;
  readonly configFile: string;
}

export interface PublishedRecord {
  readonly tenant: { readonly name: string; readonly allowedHostNamespaces: readonly string[] };
  readonly version: number;
  readonly mappings: readonly { direction: string; target: { namespace: string; name: string } }[];
  readonly pendingRemovals?: Record<string, string>;
  readonly retireAt?: string;
}

/** Per-tenant keys of the tenants file beyond the ones the fixture sets (adoptVClusterMirrors, endpoints, toHostMode). */
export type TenantOptions = Readonly<Record<string, unknown>>;

export interface ReplicateServices {
  readonly fromHost?: readonly { from: string; to: string }[];
  readonly toHost?: readonly { from: string; to: string }[];
}

/**
 * A host control plane, two tenant control planes, Redis, a tenants file and the four apps as
 * processes: the deployment an end-to-end test drives from the outside, as a user would.
 */
export class ReplicationFixture {
  private constructor(
    readonly dir: string,
    readonly host: ControlPlane,
    readonly hostCore: CoreV1Api,
    readonly hostDiscovery: DiscoveryV1Api,
    readonly tenants: readonly TenantFixture[],
    /** The plain server of startRedis, or the deployment the test gave. */
    private readonly redisBackend: RedisServer | RedisDeployment,
    readonly redis: Redis | Cluster,
    readonly prefix: string,
    readonly replicator: ReplicatorProcesses,
    /** The tenants file config-watcher reads (TENANTS_FILE). */
    readonly tenantsFile: string,
    private readonly grants: TenantGrants,
  ) {}

  /**
   * Tenant a's vcluster.yaml is a file next to the tenants file; tenant b's is the `vcluster.yaml`
   * key of the ConfigMap `config/tenant-b` in the host cluster: both sources are exercised.
   */
  static async start(options: {
    prefix: string;
    env?: Record<string, string>;
    allowedHostNamespaces?: string[];
    tenantOptions?: Partial<Record<'a' | 'b', TenantOptions>>;
    /** Where fromHost may read, besides each tenant's host namespace (default: `shared`). */
    fromHostNamespaces?: string[];
    /** Another Redis than a plain redis-server (TLS, Sentinel, Cluster): the apps get its REDIS_* variables. */
    redis?: () => Promise<RedisDeployment>;
  }): Promise<ReplicationFixture> {
    const dir = await mkdtemp(join(tmpdir(), 'sr-e2e-'));
    const [host, clusterA, clusterB, redisBackend] = await Promise.all([
      startControlPlane({ name: 'host' }),
      startControlPlane({ name: 'tenant-a' }),
      startControlPlane({ name: 'tenant-b' }),
      options.redis ? options.redis() : startRedis(),
    ]);
    const redisEnv = 'env' in redisBackend ? redisBackend.env : { REDIS_URL: redisBackend.url };
    const hostCore = host.kubeConfig.makeApiClient(CoreV1Api);
    const tenants = [tenantFixture('a', clusterA, dir), tenantFixture('b', clusterB, dir)];
    const allowed = options.allowedHostNamespaces ?? [];
    const granted = options.fromHostNamespaces ?? ['shared'];
    for (const namespace of new Set(['shared', 'config', ...allowed, ...granted, ...tenants.map((t) => t.hostNamespace)])) {
      await hostCore.createNamespace({ body: { metadata: { name: namespace } } }).catch(ignoreConflict);
    }
    const tenantsFile = join(dir, TENANTS_FILE);
    const grants: TenantGrants = { allowed, granted, options: { ...options.tenantOptions } };
    await writeTenantsFile(host, tenantsFile, tenants, grants);
    // An empty file is refused (it looks like a truncated one): no entries yet is said explicitly.
    await writeFile(tenants[0].configFile, NO_ENTRIES);
    await hostCore.createNamespacedConfigMap({
      namespace: CONFIG_MAP_B.namespace,
      body: { metadata: { name: CONFIG_MAP_B.name }, data: { [CONFIG_MAP_B.key]: NO_ENTRIES } },
    });
    const replicator = await ReplicatorProcesses.start({
      hostKubeconfig: host.kubeconfigPath,
      tenantsFile,
      redisUrl: redisEnv.REDIS_URL,
      prefix: options.prefix,
      // Tests of other behaviour neither wait out a removal grace nor a long settle time;
      // config-safety.test.ts sets its own.
      env: { CONFIG_POLL_MS: '200', CONFIG_SETTLE_MS: '100', REMOVAL_GRACE_SECONDS: '0', LOG_LEVEL: 'debug', ...redisEnv, ...options.env },
      logDir: dir,
    });
    const redis = 'connect' in redisBackend ? redisBackend.connect() : new Redis(redisBackend.url, { maxRetriesPerRequest: 1 });
    const hostDiscovery = host.kubeConfig.makeApiClient(DiscoveryV1Api);
    return new ReplicationFixture(dir, host, hostCore, hostDiscovery, tenants, redisBackend, redis, options.prefix, replicator, tenantsFile, grants);
  }

  /** The plain redis-server the fixture started (not there when the test gave a deployment of its own). */
  get redisServer(): RedisServer {
    if ('env' in this.redisBackend) throw new Error('this fixture runs on a Redis deployment the test gave, not on a plain redis-server');
    return this.redisBackend;
  }

  /**
   * Rewrites the tenants file with new options for one tenant (and grants its host identity what they
   * need, as the Helm chart would); config-watcher picks it up without a restart.
   */
  async setTenantOptions(name: 'a' | 'b', options: TenantOptions): Promise<void> {
    this.grants.options[name] = options;
    await writeTenantsFile(this.host, this.tenantsFile, this.tenants, this.grants);
  }

  tenant(name: 'a' | 'b'): TenantFixture {
    const tenant = this.tenants.find((t) => t.name === name);
    if (!tenant) throw new Error(`no tenant ${name}`);
    return tenant;
  }

  /** Writes a tenant's vcluster.yaml; config-watcher picks it up without a restart. */
  async configure(name: 'a' | 'b', replicateServices: ReplicateServices, extra: object = {}): Promise<void> {
    await this.writeRawConfig(name, stringify({ ...extra, networking: { replicateServices } }));
  }

  async writeRawConfig(name: 'a' | 'b', text: string): Promise<void> {
    if (name === 'a') return writeFile(this.tenant(name).configFile, text);
    const { namespace, name: configMap, key } = CONFIG_MAP_B;
    await this.hostCore.replaceNamespacedConfigMap({ namespace, name: configMap, body: { metadata: { name: configMap }, data: { [key]: text } } });
  }

  /** What config-watcher published for a tenant: its record (version, pending removals) and mappings. */
  async published(tenant: string): Promise<PublishedRecord | undefined> {
    // MappingStore's layout: the tenant's record in one hash, its mappings in a hash of their own.
    const [raw, mappings] = await Promise.all([
      this.redis.hget(`${this.prefix}:replicator:tenants`, tenant),
      this.redis.hgetall(`${this.prefix}:replicator:mappings:${tenant}`),
    ]);
    return raw ? { ...(JSON.parse(raw) as Omit<PublishedRecord, 'mappings'>), mappings: Object.values(mappings).map((m) => JSON.parse(m)) } : undefined;
  }

  /** The mappings version config-watcher published for a tenant. */
  async publishedVersion(tenant: string): Promise<number | undefined> {
    // The tenant's record (its version; the mappings sit in a hash of their own): MappingStore's layout.
    const raw = await this.redis.hget(`${this.prefix}:replicator:tenants`, tenant);
    return raw ? (JSON.parse(raw) as { version: number }).version : undefined;
  }

  async status(key: string): Promise<{ state: string; message: string } | undefined> {
    const raw = await this.redis.hget(`${this.prefix}:replicator:status`, key);
    return raw ? JSON.parse(raw) : undefined;
  }

  async configCheck(tenant: string): Promise<{ valid: boolean; issues: { path: string; message: string; line?: number }[]; versionInForce?: number } | undefined> {
    const raw = await this.redis.hget(`${this.prefix}:replicator:config-checks`, tenant);
    return raw ? JSON.parse(raw) : undefined;
  }

  /** Stops Redis, as an outage or a restart would; startRedisAgain brings it back, empty, on the same port. */
  async stopRedis(): Promise<void> {
    await this.redisServer.halt();
  }

  async startRedisAgain(): Promise<void> {
    await this.redisServer.startAgain();
  }

  async stop(): Promise<void> {
    this.redis.disconnect();
    await this.replicator.stop();
    await Promise.all([this.host.stop(), ...this.tenants.map((t) => t.cluster.stop()), this.redisBackend.stop()]);
    await rm(this.dir, { recursive: true, force: true });
  }
}

function tenantFixture(name: string, cluster: ControlPlane, dir: string): TenantFixture {
  const kc: KubeConfig = cluster.kubeConfig;
  return {
    name,
    hostNamespace: `vc-${name}`,
    cluster,
    core: kc.makeApiClient(CoreV1Api),
    discovery: kc.makeApiClient(DiscoveryV1Api),
    configFile: join(dir, `${name}.vcluster.yaml`),
  };
}

const TENANTS_FILE = 'tenants.yaml';
const NO_ENTRIES = stringify({ networking: { replicateServices: { fromHost: [], toHost: [] } } });
const CONFIG_MAP_B = { namespace: 'config', name: 'tenant-b', key: 'vcluster.yaml' };

/** What the tenants file grants each tenant: toHost and fromHost namespaces, and per-tenant options. */
interface TenantGrants {
  readonly allowed: readonly string[];
  readonly granted: readonly string[];
  readonly options: Partial<Record<string, TenantOptions>>;
}

/** The tenants file, and what the Helm chart creates for the tenants it lists: each tenant's host identity and its Roles. */
async function writeTenantsFile(host: ControlPlane, file: string, tenants: readonly TenantFixture[], grants: TenantGrants): Promise<void> {
  const specs = tenants.map((t): TenantSpec => ({
    name: t.name,
    hostNamespace: t.hostNamespace,
    kubeconfig: { file: t.cluster.kubeconfigPath },
    allowedHostNamespaces: [...grants.allowed],
    fromHostNamespaces: [...grants.granted],
    config: t.name === 'b' ? { configMap: CONFIG_MAP_B } : { file: `${t.name}.vcluster.yaml` },
    toHostMode: 'selector',
    ...grants.options[t.name],
  }));
  for (const spec of specs) await grantRoles(host.kubeConfig, tenantHostGrants(spec));
  await writeFile(file, stringify({ tenants: specs }));
}

export function ignoreConflict(error: unknown): void {
  if ((error as { code?: number }).code !== 409) throw error;
}

/** Resolves to the HTTP status of a rejected API call (for "it is gone" checks). */
export async function statusOf(call: Promise<unknown>): Promise<number | undefined> {
  try {
    await call;
    return 200;
  } catch (error) {
    return (error as { code?: number }).code;
  }
}
