import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, type KubernetesObject, type V1Deployment } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import {
  APPS,
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
import { vClusterConfigSecret, vClusterKubeconfigSecret } from './vcluster-secrets';

const PREFIX = 'helm-e2e';
/** Discovered vClusters live in these namespaces (discovery.namespaces), their host identities in IDENTITIES. */
export const DISCOVERED_NAMESPACES = ['vc-d', 'vc-e'];
export const IDENTITIES = 'sr-tenants';
/** How long a removed tenant's mappings stay (REMOVAL_GRACE_SECONDS, the one setting changed from the chart's). */
export const GRACE_SECONDS = 3;
const INITIAL: ReplicateServices = {
  fromHost: [{ from: 'shared/web', to: 'default/web' }],
  toHost: [{ from: 'default/api', to: 'api' }],
};

export interface AppIdentity {
  readonly kubeconfigPath: string;
  readonly kubeConfig: KubeConfig;
  readonly core: CoreV1Api;
}

type Identities = Record<'configWatcher' | 'hostWatcher' | 'tenantWatcher' | 'writer', AppIdentity>;

/**
 * The chart installed into a host control plane the way `helm install` would (rendered, then
 * applied for real: ServiceAccounts, Roles, RoleBindings, ConfigMaps, Deployments), and the four
 * apps run as processes, each with a token of its own chart ServiceAccount: every request they
 * make is checked against exactly the chart's RBAC, and with the environment the chart gives its
 * container (only the ports become free ones, and the paths this machine's). Tenant a is a
 * second control plane whose kubeconfig sits in a host Secret, as the values name it.
 */
export class ChartDeployment {
  private constructor(
    private readonly release: Release,
    private readonly dir: string,
    private readonly clusters: readonly ControlPlane[],
    private readonly redisServer: RedisServer,
    private readonly redis: Redis,
    private readonly apps: ReadonlyMap<AppName, ReplicatorProcesses>,
    /** Where this test reaches discovered vClusters (all played by the tenant API server): discovery.server. */
    private readonly vClusterServer: string,
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
    const objects = await renderChart(release, chartValues(redisServer.url, INITIAL, tenant.server));
    await applyObjects(host.kubeConfig, objects, { dryRun: false });

    const identities = await mintIdentities(host, objects, dir);
    const tenantsFile = join(dir, 'tenants.yaml');
    await writeFile(tenantsFile, tenantsFileOf(objects));
    const apps = new Map<AppName, ReplicatorProcesses>();
    const deployment = new ChartDeployment(release, dir, [host, tenant], redisServer, new Redis(redisServer.url), apps, tenant.server, hostCore, tenantCore, identities.byKey);
    try {
      for (const [app, identity] of identities.byApp) {
        const options = { hostKubeconfig: identity.kubeconfigPath, tenantsFile, redisUrl: redisServer.url, prefix: PREFIX, logDir: dir };
        const env = { ...containerEnv(objects, app), LOG_LEVEL: 'debug', REMOVAL_GRACE_SECONDS: String(GRACE_SECONDS) };
        apps.set(app, await ReplicatorProcesses.start({ ...options, env }, [app]));
      }
    } catch (error) {
      await deployment.stop();
      throw error;
    }
    return deployment;
  }

  /** The host cluster, where the chart is installed. */
  get host(): ControlPlane {
    return this.clusters[0];
  }

  /** An app's listeners, from its ready line: health (HTTP_PORT) and operator (OPERATOR_HTTP_PORT). */
  async addresses(app: AppName): Promise<{ http: string; operator: string }> {
    const processes = this.apps.get(app);
    if (!processes) throw new Error(`${app} is not running`);
    return { http: await processes.httpAddress(app), operator: await processes.operatorAddress(app) };
  }

  /** SIGTERM to one app; how it exited. */
  async stopApp(app: AppName): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const proc = this.apps.get(app)?.process(app);
    if (!proc) throw new Error(`${app} is not running`);
    return proc.stop(15_000);
  }

  /** A `helm upgrade` with the tenant's new vcluster.yaml: config-watcher reads it without a restart. */
  async configure(replicateServices: ReplicateServices): Promise<void> {
    const [host] = this.clusters;
    await applyObjects(host.kubeConfig, await renderChart(this.release, chartValues(this.redisServer.url, replicateServices, this.vClusterServer)), { dryRun: false });
  }

  /**
   * A vCluster installed in a searched namespace, as vCluster's chart and syncer leave it on the host:
   * its config Secret (with these annotations) and its kubeconfig Secret, naming localhost.
   */
  async installVCluster(name: string, namespace: string, replicateServices: ReplicateServices, annotations: Record<string, string> = {}): Promise<void> {
    await this.hostCore.createNamespacedSecret({ namespace, body: vClusterConfigSecret(name, replicateServices, annotations) });
    await this.hostCore.createNamespacedSecret({ namespace, body: vClusterKubeconfigSecret(name, this.clusters[1]) });
  }

  /** The vCluster's Secrets deleted, as `helm uninstall` of it would. */
  async uninstallVCluster(name: string, namespace: string): Promise<void> {
    await this.hostCore.deleteNamespacedSecret({ namespace, name: `vc-config-${name}` });
    await this.hostCore.deleteNamespacedSecret({ namespace, name: `vc-${name}` });
  }

  /** A client with an app's credentials that acts as `user` (Kubernetes impersonation), as the writer acts as a tenant. */
  actingAs(identity: AppIdentity, user: string): CoreV1Api {
    const kc = new KubeConfig();
    kc.loadFromFile(identity.kubeconfigPath);
    kc.loadFromOptions({ clusters: kc.clusters, contexts: kc.contexts, users: kc.users.map((u) => ({ ...u, impersonateUser: user })), currentContext: kc.currentContext });
    return kc.makeApiClient(CoreV1Api);
  }

  async configCheck(tenant: string): Promise<{ valid: boolean; issues: { path: string; message: string }[] } | undefined> {
    const raw = await this.redis.hget(`${PREFIX}:replicator:config-checks`, tenant);
    return raw ? JSON.parse(raw) : undefined;
  }

  async status(key: string): Promise<{ state: string; message: string } | undefined> {
    const raw = await this.redis.hget(`${PREFIX}:replicator:status`, key);
    return raw ? JSON.parse(raw) : undefined;
  }

  async stop(): Promise<void> {
    this.redis.disconnect();
    await Promise.all([...this.apps.values()].map((app) => app.stop()));
    await Promise.all([...this.clusters.map((cluster) => cluster.stop()), this.redisServer.stop()]);
    await rm(this.dir, { recursive: true, force: true });
  }
}

function chartValues(redisUrl: string, replicateServices: ReplicateServices, vClusterServer: string): object {
  return {
    redis: { url: redisUrl },
    queuePrefix: PREFIX,
    configPollMs: 200,
    // Discovered vClusters beside the listed tenant; they may be granted reads from `shared`.
    discovery: { namespaces: DISCOVERED_NAMESPACES, identityNamespace: IDENTITIES, fromHostNamespaces: ['shared'], server: vClusterServer },
    // endpoints mode with core/v1 Endpoints: the writer, acting as the tenant, writes all three kinds
    // into vc-a under the chart's RBAC (the tenant identity's Roles).
    tenants: [
      {
        ...tenantValues({ name: 'a', hostNamespace: 'vc-a', kubeconfigSecret: 'vc-a-kubeconfig', replicateServices }),
        fromHostNamespaces: ['shared'],
        toHostMode: 'endpoints',
        endpoints: true,
      },
    ],
  };
}

/** What the user has before installing: namespaces, the tenant's kubeconfig Secret, the Services to replicate. */
async function seed(hostCore: CoreV1Api, tenantCore: CoreV1Api, release: Release, tenantKubeconfig: string): Promise<void> {
  for (const name of [release.namespace, 'shared', 'vc-a', 'elsewhere', IDENTITIES, ...DISCOVERED_NAMESPACES]) await hostCore.createNamespace({ body: { metadata: { name } } });
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
    // Tenants' host identities run nothing: the writer acts as them.
    if (!APPS.includes(app)) continue;
    const identity = await mintServiceAccountIdentity(host.kubeConfig, account.metadata?.namespace ?? '', account.metadata?.name ?? '');
    const kubeconfigPath = join(dir, `${app}.kubeconfig`);
    await writeFile(kubeconfigPath, identity.kubeConfig.exportConfig());
    byApp.set(app, { kubeconfigPath, kubeConfig: identity.kubeConfig, core: identity.kubeConfig.makeApiClient(CoreV1Api) });
  }
  const get = (app: AppName) => {
    const identity = byApp.get(app);
    if (!identity) throw new Error(`the chart rendered no ServiceAccount for ${app}`);
    return identity;
  };
  const byKey: Identities = { configWatcher: get('config-watcher'), hostWatcher: get('host-watcher'), tenantWatcher: get('tenant-watcher'), writer: get('writer') };
  return { byApp, byKey };
}

/**
 * The environment the chart gives an app's container, as this machine can run it: the ports it
 * names become free ones (four apps share one host here) and the paths are the test's own.
 */
function containerEnv(objects: readonly KubernetesObject[], app: AppName): Record<string, string> {
  const deployment = (ofKind(objects, 'Deployment') as V1Deployment[]).find((d) => d.metadata?.labels?.['app.kubernetes.io/component'] === app);
  const container = deployment?.spec?.template.spec?.containers.find((c) => c.name === app);
  if (!container) throw new Error(`the chart rendered no ${app} container`);
  const env: Record<string, string> = {};
  for (const { name, value, valueFrom } of container.env ?? []) {
    if (valueFrom) throw new Error(`${app}: ${name} comes from ${JSON.stringify(valueFrom)}, which this test cannot resolve`);
    env[name] = value ?? '';
  }
  for (const port of ['HTTP_PORT', 'OPERATOR_HTTP_PORT']) if (port in env) env[port] = '0';
  delete env.TENANTS_FILE;
  return env;
}

/** The tenants file as config-watcher's pod sees it: the chart's ConfigMap, mounted as a file. */
function tenantsFileOf(objects: readonly KubernetesObject[]): string {
  const configMap = ofKind(objects, 'ConfigMap').find((cm) => cm.metadata?.name?.endsWith('-tenants')) as { data?: Record<string, string> } | undefined;
  const text = configMap?.data?.['tenants.yaml'];
  if (!text) throw new Error('the chart rendered no tenants file');
  return text;
}
