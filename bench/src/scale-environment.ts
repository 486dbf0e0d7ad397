import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, type V1Service } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import { stringify } from 'yaml';
import {
  APPS,
  grantRoles,
  ReplicatorProcesses,
  startControlPlane,
  startRedis,
  type ControlPlane,
  type RedisServer,
} from '@service-replicator/control-plane-harness';
import { tenantHostGrants, type TenantSpec } from '@service-replicator/replication-config';
import { log } from './bench-log';
import { BENCHMARK_PROCESS, type LoadSources } from './load-counters';

export const SOURCE_NAMESPACE = 'shared';

/**
 * The scale benchmark's servers: a host and a tenant control plane and Redis, N host Services to
 * mirror, and (per system phase) the four apps with a given number of writers. Everything the
 * benchmark counts (API requests, Redis commands, CPU per process) is read from these.
 */
export class ScaleEnvironment {
  private replicator?: ReplicatorProcesses;
  private starts = 0;
  sources: V1Service[] = [];

  private constructor(readonly dir: string, readonly host: ControlPlane, readonly tenant: ControlPlane, readonly redisServer: RedisServer, readonly redis: Redis) {}

  static async start(): Promise<ScaleEnvironment> {
    const dir = await mkdtemp(join(tmpdir(), 'sr-scale-'));
    const [host, tenant, redisServer] = await Promise.all([startControlPlane({ name: 'host' }), startControlPlane({ name: 'tenant' }), startRedis()]);
    const redis = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
    redis.on('error', () => undefined);
    return new ScaleEnvironment(dir, host, tenant, redisServer, redis);
  }

  /** N ClusterIP Services in the host's `shared` namespace: the sources every phase mirrors. */
  async createSources(count: number): Promise<void> {
    const core = this.host.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: SOURCE_NAMESPACE } } });
    const names = Array.from({ length: count }, (_, i) => `svc-${i}`);
    this.sources = await inParallel(names, 16, (name) =>
            // No selector: the host's EndpointSlice controller has nothing to do for them, so its work does
      // not spill into the phases measured next (a ClusterIP source's slices play no part in its mirror).
      core.createNamespacedService({ namespace: SOURCE_NAMESPACE, body: { metadata: { name }, spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] } } }),
    );
    log(`created ${count} host Services`);
  }

  async createNamespaces(cluster: 'host' | 'tenant', names: readonly string[]): Promise<void> {
    const core = (cluster === 'host' ? this.host : this.tenant).kubeConfig.makeApiClient(CoreV1Api);
    for (const name of names) await core.createNamespace({ body: { metadata: { name } } });
  }

  /**
   * Starts the four apps for one tenant (its config `fromHost: []` at first) with `writers` writer
   * processes, on an emptied Redis, and waits until config-watcher has published the tenant.
   */
  async startApps(tenant: string, writers: number, env: Readonly<Record<string, string>>): Promise<string> {
    await this.redis.flushall();
    this.starts += 1;
    const dir = join(this.dir, `apps-${this.starts}`);
    await mkdir(dir);
    const configFile = join(dir, `${tenant}.vcluster.yaml`);
    await writeFile(configFile, stringify({ networking: { replicateServices: { fromHost: [] } } }));
    const tenantsFile = join(dir, 'tenants.yaml');
    const spec: TenantSpec = {
      name: tenant,
      hostNamespace: `vc-${tenant}`,
      fromHostNamespaces: [SOURCE_NAMESPACE],
      allowedHostNamespaces: [],
      kubeconfig: { file: this.tenant.kubeconfigPath },
      config: { file: configFile },
      toHostMode: 'selector',
    };
    await writeFile(tenantsFile, stringify({ tenants: [spec] }));
    // The tenant's host identity, which the writer acts as, and its Roles (what the Helm chart creates).
    await grantRoles(this.host.kubeConfig, tenantHostGrants(spec));
    const replicator = await ReplicatorProcesses.start({ hostKubeconfig: this.host.kubeconfigPath, tenantsFile, redisUrl: this.redisServer.url, prefix: 'scale', env, logDir: dir });
    this.replicator = replicator;
    for (let extra = 1; extra < writers; extra++) await replicator.startReplica('writer');
    const published = async () => (await this.redis.hexists('scale:replicator:tenants', tenant)) === 1;
    for (let waited = 0; !(await published()); waited += 100) {
      if (waited > 60_000) throw new Error(`config-watcher did not publish tenant ${tenant}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return configFile;
  }

  get apps(): ReplicatorProcesses {
    if (!this.replicator) throw new Error('the apps are not running');
    return this.replicator;
  }

  async stopApps(): Promise<void> {
    await this.replicator?.stop();
    this.replicator = undefined;
  }

  /** What load-counters reads: both API servers, Redis, and every process by role. */
  loadSources(): LoadSources {
    return {
      apiServers: [
        { name: 'host', kubeConfig: this.host.kubeConfig },
        { name: 'tenant', kubeConfig: this.tenant.kubeConfig },
      ],
      redis: this.redis,
      processes: () => {
        const byLabel = new Map<string, number[]>();
        for (const [cluster, plane] of [['host', this.host], ['tenant', this.tenant]] as const) {
          for (const pid of plane.pids()) byLabel.set(`${cluster} ${commandOf(pid)}`, [pid]);
        }
        if (this.redisServer.pid !== undefined) byLabel.set('redis-server', [this.redisServer.pid]);
        for (const app of APPS) byLabel.set(app, this.replicator?.pids(app) ?? []);
        // The floor's client (what the apps replace) runs here, and in every run the watch that counts mirrors.
        byLabel.set(BENCHMARK_PROCESS, [process.pid]);
        return byLabel;
      },
    };
  }

  async stop(): Promise<void> {
    await this.stopApps();
    this.redis.disconnect();
    await Promise.all([this.host.stop(), this.tenant.stop(), this.redisServer.stop()]);
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** A process's command name (etcd, kube-apiserver, ...), to label its CPU. */
export function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return `pid ${pid}`;
  }
}

/** Runs `work` over `items`, `concurrency` at a time, keeping the results in order. */
export async function inParallel<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index]);
      }
    }),
  );
  return results;
}
