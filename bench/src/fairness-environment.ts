import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { grantRoles, ReplicatorProcesses, startControlPlane, startRedis, type ControlPlane } from '@service-replicator/control-plane-harness';
import { tenantHostGrants, type TenantSpec } from '@service-replicator/replication-config';
import { ReplicatorRedis } from '@service-replicator/replication-queue';
import { APP_ENV, NO_ENTRIES } from './bench-environment';

export const BUSY = 'a';
export const QUIET = 'b';
export const ENTRIES = 10_000;

/**
 * Two tenants on one host: `a` will publish ENTRIES mappings at once (a backlog of ENTRIES jobs),
 * `b` has one mapping whose source the benchmark changes while that backlog is worked off.
 */
export class FairnessEnvironment {
  private readonly stops: (() => Promise<void>)[] = [];
  host!: ControlPlane;
  tenants!: Record<typeof BUSY | typeof QUIET, ControlPlane>;
  redis!: ReplicatorRedis;
  private redisUrl!: string;
  replicator!: ReplicatorProcesses;
  readonly prefix = 'bench-fairness';

  private constructor(readonly dir: string) {}

  static async start(): Promise<FairnessEnvironment> {
    const env = new FairnessEnvironment(await mkdtemp(join(tmpdir(), 'sr-fairness-')));
    try {
      await env.startServers();
      await env.startApps();
      return env;
    } catch (error) {
      await env.stop();
      throw error;
    }
  }

  get hostCore(): CoreV1Api {
    return this.host.kubeConfig.makeApiClient(CoreV1Api);
  }

  /** Writes a tenant's vcluster.yaml with these fromHost entries; config-watcher picks it up live. */
  async configure(tenant: string, fromHost: readonly { from: string; to: string }[]): Promise<void> {
    await writeFile(this.configFile(tenant), stringify({ networking: { replicateServices: { fromHost } } }));
  }

  /** Jobs still to do: waiting (prioritized included), in hand, or due again later. */
  async backlog(): Promise<number> {
    const counts = await this.redis.queue.queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed');
    return Object.values(counts).reduce((sum, count) => sum + count, 0);
  }

  async stop(): Promise<void> {
    for (const stop of this.stops.splice(0).reverse()) await stop().catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }

  private configFile(tenant: string): string {
    return join(this.dir, `${tenant}.vcluster.yaml`);
  }

  private async startServers(): Promise<void> {
    const started = await Promise.allSettled([startControlPlane({ name: 'host' }), startControlPlane({ name: BUSY }), startControlPlane({ name: QUIET }), startRedis()]);
    for (const result of started) if (result.status === 'fulfilled') this.stops.push(() => result.value.stop());
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    const [host, busy, quiet, redisServer] = started.map((result) => (result as PromiseFulfilledResult<unknown>).value) as [ControlPlane, ControlPlane, ControlPlane, { url: string }];
    this.host = host;
    this.tenants = { [BUSY]: busy, [QUIET]: quiet };
    this.redisUrl = redisServer.url;
    this.redis = new ReplicatorRedis(redisServer.url, this.prefix, 'bench');
    this.stops.push(() => this.redis.close());
    await this.hostCore.createNamespace({ body: { metadata: { name: 'shared' } } });
    for (const name of ['hub', 'b-svc']) {
      await this.hostCore.createNamespacedService({ namespace: 'shared', body: { metadata: { name }, spec: { ports: [{ name: 'http', port: 80 }] } } });
    }
  }

  private async startApps(): Promise<void> {
    const specs: TenantSpec[] = [BUSY, QUIET].map((name) => ({
      name,
      hostNamespace: `vc-${name}`,
      fromHostNamespaces: ['shared'],
      allowedHostNamespaces: [],
      kubeconfig: { file: this.tenants[name as typeof BUSY].kubeconfigPath },
      config: { file: this.configFile(name) },
      toHostMode: 'selector',
    }));
    for (const spec of specs) {
      await writeFile(this.configFile(spec.name), NO_ENTRIES);
      await grantRoles(this.host.kubeConfig, tenantHostGrants(spec));
    }
    const tenantsFile = join(this.dir, 'tenants.yaml');
    await writeFile(tenantsFile, stringify({ tenants: specs }));
    this.replicator = await ReplicatorProcesses.start({
      hostKubeconfig: this.host.kubeconfigPath,
      tenantsFile,
      redisUrl: this.redisUrl,
      prefix: this.prefix,
      env: { ...APP_ENV, MAX_MAPPINGS_PER_TENANT: String(ENTRIES) },
      logDir: this.dir,
    });
    this.stops.push(() => this.replicator.stop());
  }
}
