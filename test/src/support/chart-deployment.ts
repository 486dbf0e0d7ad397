import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, type KubernetesObject } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import {
  mintServiceAccountIdentity,
  ReplicatorProcesses,
  startControlPlane,
  startRedis,
  type AppName,
  type ControlPlane,
  type RedisServer,
} from '@service-replicator/control-plane-harness';
import { applyObjects, ofKind, renderChart, tenantValues, type Release } from './helm-chart';
import type { ReplicateServices } from './replication-fixture';

const PREFIX = 'helm-e2e';
const INITIAL: ReplicateServices = {
  fromHost: [{ from: 'shared/web', to: 'default/web' }],
  toHost: [{ from: 'default/api', to: 'api' }],
};

export interface AppIdentity {
  readonly kubeconfigPath: string;
  readonly core: CoreV1Api;
}

type Identities = Record<'configWatcher' | 'hostWatcher' | 'tenantWatcher' | 'writer', AppIdentity>;

/**
 * The chart installed into a host control plane the way `helm install` would (rendered, then
 * applied for real: ServiceAccounts, Roles, RoleBindings, ConfigMaps, Deployments), and the four
 * apps run as processes, each with a token of its own chart ServiceAccount: every request they
 * make is checked against exactly the chart's RBAC. Tenant a is a second control plane whose
 * kubeconfig sits in a host Secret, as the values name it.
 */
export class ChartDeployment {
  private constructor(
    private readonly release: Release,
    private readonly dir: string,
    private readonly clusters: readonly ControlPlane[],
    private readonly redisServer: RedisServer,
    private readonly redis: Redis,
    private readonly apps: readonly ReplicatorProcesses[],
    readonly hostCore: CoreV1Api,
    readonly tenantCore: CoreV1Api,
    readonly identities: Identities,
  ) {}

  static async start(release: Release): Promise<ChartDeployment> {
    const dir = await mkdtemp(join(tmpdir(), 'sr-helm-e2e-'));
    const [host, tenant, redisServer] = await Promise.all([startControlPlane({ name: 'host' }), startControlPlane({ name: 'tenant-a' }), startRedis()]);
    const hostCore = host.kubeConfig.makeApiClient(CoreV1Api);
    const tenantCore = tenant.kubeConfig.makeApiClient(CoreV1Api);
    await seed(hostCore, tenantCore, release, tenant.kubeConfig.exportConfig());
    const objects = await renderChart(release, chartValues(redisServer.url, INITIAL));
    await applyObjects(host.kubeConfig, objects, { dryRun: false });

    const identities = await mintIdentities(host, objects, dir);
    const tenantsFile = join(dir, 'tenants.yaml');
    await writeFile(tenantsFile, tenantsFileOf(objects));
    const apps: ReplicatorProcesses[] = [];
    const deployment = new ChartDeployment(release, dir, [host, tenant], redisServer, new Redis(redisServer.url), apps, hostCore, tenantCore, identities.byKey);
    try {
      for (const [app, identity] of identities.byApp) {
        const options = { hostKubeconfig: identity.kubeconfigPath, tenantsFile, redisUrl: redisServer.url, prefix: PREFIX, logDir: dir };
        apps.push(await ReplicatorProcesses.start({ ...options, env: { CONFIG_POLL_MS: '200', LOG_LEVEL: 'debug' } }, [app]));
      }
    } catch (error) {
      await deployment.stop();
      throw error;
    }
    return deployment;
  }

  /** A `helm upgrade` with the tenant's new vcluster.yaml: config-watcher reads it without a restart. */
  async configure(replicateServices: ReplicateServices): Promise<void> {
    const [host] = this.clusters;
    await applyObjects(host.kubeConfig, await renderChart(this.release, chartValues(this.redisServer.url, replicateServices)), { dryRun: false });
  }

  async status(key: string): Promise<{ state: string; message: string } | undefined> {
    const raw = await this.redis.hget(`${PREFIX}:replicator:status`, key);
    return raw ? JSON.parse(raw) : undefined;
  }

  async stop(): Promise<void> {
    this.redis.disconnect();
    await Promise.all(this.apps.map((app) => app.stop()));
    await Promise.all([...this.clusters.map((cluster) => cluster.stop()), this.redisServer.stop()]);
    await rm(this.dir, { recursive: true, force: true });
  }
}

function chartValues(redisUrl: string, replicateServices: ReplicateServices): object {
  return {
    redis: { url: redisUrl },
    queuePrefix: PREFIX,
    fromHostNamespaces: ['shared'],
    tenants: [tenantValues({ name: 'a', hostNamespace: 'vc-a', kubeconfigSecret: 'vc-a-kubeconfig', replicateServices })],
  };
}

/** What the user has before installing: namespaces, the tenant's kubeconfig Secret, the Services to replicate. */
async function seed(hostCore: CoreV1Api, tenantCore: CoreV1Api, release: Release, tenantKubeconfig: string): Promise<void> {
  for (const name of [release.namespace, 'shared', 'vc-a', 'elsewhere']) await hostCore.createNamespace({ body: { metadata: { name } } });
  await hostCore.createNamespacedSecret({ namespace: 'vc-a', body: { metadata: { name: 'vc-a-kubeconfig' }, stringData: { config: tenantKubeconfig } } });
  await hostCore.createNamespacedSecret({ namespace: 'vc-a', body: { metadata: { name: 'not-a-kubeconfig' }, stringData: { token: 'secret' } } });
  const web = { metadata: { name: 'web' }, spec: { ports: [{ name: 'http', port: 80 }] } };
  await hostCore.createNamespacedService({ namespace: 'shared', body: web });
  await hostCore.createNamespacedService({ namespace: 'elsewhere', body: web });
  await tenantCore.createNamespacedService({ namespace: 'default', body: { metadata: { name: 'api' }, spec: { selector: { app: 'api' }, ports: [{ port: 8080 }] } } });
}

/** A TokenRequest token for each app's ServiceAccount (as its pod would get), as a kubeconfig file. */
async function mintIdentities(host: ControlPlane, objects: readonly KubernetesObject[], dir: string) {
  const byApp = new Map<AppName, AppIdentity>();
  for (const account of ofKind(objects, 'ServiceAccount')) {
    const app = account.metadata?.labels?.['app.kubernetes.io/component'] as AppName;
    const identity = await mintServiceAccountIdentity(host.kubeConfig, account.metadata?.namespace ?? '', account.metadata?.name ?? '');
    const kubeconfigPath = join(dir, `${app}.kubeconfig`);
    await writeFile(kubeconfigPath, identity.kubeConfig.exportConfig());
    byApp.set(app, { kubeconfigPath, core: identity.kubeConfig.makeApiClient(CoreV1Api) });
  }
  const get = (app: AppName) => {
    const identity = byApp.get(app);
    if (!identity) throw new Error(`the chart rendered no ServiceAccount for ${app}`);
    return identity;
  };
  const byKey: Identities = { configWatcher: get('config-watcher'), hostWatcher: get('host-watcher'), tenantWatcher: get('tenant-watcher'), writer: get('writer') };
  return { byApp, byKey };
}

/** The tenants file as config-watcher's pod sees it: the chart's ConfigMap, mounted as a file. */
function tenantsFileOf(objects: readonly KubernetesObject[]): string {
  const configMap = ofKind(objects, 'ConfigMap').find((cm) => cm.metadata?.name?.endsWith('-tenants')) as { data?: Record<string, string> } | undefined;
  const text = configMap?.data?.['tenants.yaml'];
  if (!text) throw new Error('the chart rendered no tenants file');
  return text;
}
