import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, type KubernetesObject, type V1Deployment, type V1Role } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { startControlPlane, type ControlPlane } from '@service-replicator/control-plane-harness';
import { applyObjects, CHART, ofKind, renderChart, runHelm, tenantValues, type Release } from './support/helm-chart';
import { ChartDeployment } from './support/chart-deployment';
import { statusOf } from './support/replication-fixture';
import { serverSuite } from './support/server-suite';
import { eventually } from './support/wait';

const RELEASE: Release = { name: 'sr', namespace: 'service-replicator' };

/** Two tenants: one with a namespace toHost may also write to, one whose kubeconfig Secret sits in the release namespace. */
const VALUES = {
  fromHostNamespaces: ['shared'],
  tenants: [
    { ...tenantValues({ name: 'a', hostNamespace: 'vc-a', kubeconfigSecret: 'vc-a-kubeconfig', replicateServices: {} }), allowedHostNamespaces: ['extra'] },
    {
      name: 'b',
      hostNamespace: 'vc-b',
      kubeconfig: { secret: { name: 'vc-b-kubeconfig', key: 'config' } },
      config: { configMap: { namespace: 'config', name: 'tenant-b', key: 'vcluster.yaml' } },
    },
  ],
  writer: { replicas: 3, concurrency: 4, resources: { requests: { cpu: '200m' } } },
  tracing: { enabled: true, otlpEndpoint: 'http://collector.tracing:4318' },
};

serverSuite('helm chart', () => {
  it('passes helm lint', async () => {
    const result = await runHelm(['lint', CHART, '--strict'], VALUES);
    assert.equal(result.status, 0, result.stdout + result.stderr);
  });

  it('renders the four apps with their own ServiceAccounts, replicas, resources and settings', async () => {
    const objects = await renderChart(RELEASE, VALUES);
    const deployments = ofKind(objects, 'Deployment') as V1Deployment[];
    const byApp = new Map(deployments.map((d) => [d.spec?.template.spec?.containers[0].args?.[0], d]));
    assert.deepEqual([...byApp.keys()].sort(), ['config-watcher', 'host-watcher', 'tenant-watcher', 'writer']);
    const writer = byApp.get('writer')?.spec;
    assert.equal(writer?.replicas, 3);
    assert.equal(byApp.get('host-watcher')?.spec?.replicas, 1);
    assert.deepEqual(writer?.template.spec?.containers[0].resources, { requests: { cpu: '200m', memory: '128Mi' }, limits: { memory: '384Mi' } });
    const env = new Map(writer?.template.spec?.containers[0].env?.map((e) => [e.name, e.value]));
    assert.equal(env.get('WRITER_CONCURRENCY'), '4');
    assert.equal(env.get('OTEL_EXPORTER_OTLP_ENDPOINT'), 'http://collector.tracing:4318');
    assert.equal(env.get('OTEL_SERVICE_NAME'), 'writer');
    const accounts = ofKind(objects, 'ServiceAccount').map((sa) => sa.metadata?.name);
    assert.deepEqual(deployments.map((d) => d.spec?.template.spec?.serviceAccountName).sort(), accounts.sort());
    for (const deployment of deployments) {
      const pod = deployment.spec?.template.spec;
      assert.equal(pod?.securityContext?.runAsNonRoot, true);
      assert.equal(pod?.containers[0].securityContext?.readOnlyRootFilesystem, true);
    }
  });

  it('renders the tenants file config-watcher reads, with the inline config as a ConfigMap of the release', async () => {
    const objects = await renderChart(RELEASE, VALUES);
    const configMaps = ofKind(objects, 'ConfigMap') as (KubernetesObject & { data: Record<string, string> })[];
    const tenantsFile = parse(configMaps.find((cm) => cm.metadata?.name === 'sr-service-replicator-tenants')?.data['tenants.yaml'] ?? '');
    assert.deepEqual(tenantsFile.tenants[0].config, { configMap: { namespace: RELEASE.namespace, name: 'sr-service-replicator-tenant-a', key: 'vcluster.yaml' } });
    assert.deepEqual(tenantsFile.tenants[1].kubeconfig, { secret: { namespace: RELEASE.namespace, name: 'vc-b-kubeconfig', key: 'config' } });
    assert.deepEqual(tenantsFile.tenants[0].allowedHostNamespaces, ['extra']);
    const inline = configMaps.find((cm) => cm.metadata?.name === 'sr-service-replicator-tenant-a');
    assert.deepEqual(parse(inline?.data['vcluster.yaml'] ?? ''), { networking: { replicateServices: {} } });
  });

  it('grants namespaced Roles only, in the namespaces the values name, with gets limited to named objects', async () => {
    const objects = await renderChart(RELEASE, VALUES);
    assert.deepEqual(ofKind(objects, 'ClusterRole').concat(ofKind(objects, 'ClusterRoleBinding')), []);
    const roles = ofKind(objects, 'Role') as V1Role[];
    const where = (app: string) => roles.filter((r) => r.metadata?.name === `sr-service-replicator-${app}`).map((r) => r.metadata?.namespace).sort();
    assert.deepEqual(where('host-watcher'), ['extra', 'shared', 'vc-a', 'vc-b']);
    assert.deepEqual(where('writer'), ['extra', 'service-replicator', 'shared', 'vc-a', 'vc-b']);
    assert.deepEqual(where('tenant-watcher'), ['service-replicator', 'vc-a']);
    assert.deepEqual(where('config-watcher'), ['config', 'service-replicator']);
    for (const rule of roles.flatMap((role) => role.rules ?? [])) {
      if (rule.resources?.some((r) => r === 'secrets' || r === 'configmaps')) assert.ok(rule.resourceNames?.length, JSON.stringify(rule));
      assert.ok(!rule.verbs.includes('*') && !rule.resources?.includes('*'), JSON.stringify(rule));
    }
    const writerInShared = roles.find((r) => r.metadata?.name === 'sr-service-replicator-writer' && r.metadata.namespace === 'shared');
    assert.deepEqual(writerInShared?.rules?.map((rule) => rule.verbs), [['get'], ['list']], 'a fromHost source namespace is only read');
  });

  it('refuses values that break the schema, naming the problem', async () => {
    const noKubeconfig = { tenants: [{ name: 'a', hostNamespace: 'vc-a', config: { values: {} } }] };
    const twoSources = { tenants: [{ ...tenantValues({ name: 'a', hostNamespace: 'vc-a', kubeconfigSecret: 's', replicateServices: {} }), config: { values: {}, configMap: { name: 'c', key: 'k' } } }] };
    const badNamespace = { fromHostNamespaces: ['Not_A_Namespace'] };
    for (const [values, expected] of [[noKubeconfig, /kubeconfig/], [twoSources, /maxProperties|maximum 1|at most 1/], [badNamespace, /fromHostNamespaces/]] as const) {
      const result = await runHelm(['template', RELEASE.name, CHART], values);
      assert.notEqual(result.status, 0, JSON.stringify(values));
      assert.match(result.stderr, expected);
    }
  });

  describe('against a real API server', () => {
    let host: ControlPlane;
    before(async () => {
      host = await startControlPlane({ name: 'helm-host' });
    });
    after(async () => {
      await host?.stop();
    });

    it('is accepted by server-side dry-run (validation, defaulting, admission)', async () => {
      const objects = await renderChart(RELEASE, VALUES);
      // Namespaces are the user's: the chart only puts objects into them.
      await applyObjects(host.kubeConfig, ['service-replicator', 'shared', 'extra', 'vc-a', 'vc-b', 'config'].map(namespace), { dryRun: false });
      await applyObjects(host.kubeConfig, objects, { dryRun: true });
      const listed = await host.kubeConfig.makeApiClient(CoreV1Api).listNamespacedServiceAccount({ namespace: RELEASE.namespace });
      assert.deepEqual(listed.items.map((sa) => sa.metadata?.name), ['default'], 'a dry run stores nothing');
    });
  });

  describe('the apps under exactly the chart RBAC', () => {
    let deployment: ChartDeployment;
    before(async () => {
      deployment = await ChartDeployment.start(RELEASE);
    });
    after(async () => {
      await deployment?.stop();
    });

    it('replicate both ways', async () => {
      const exists = async (call: Promise<unknown>) => ((await statusOf(call)) === 200 ? true : undefined);
      await eventually(() => exists(deployment.tenantCore.readNamespacedService({ namespace: 'default', name: 'web' })), 60_000);
      await eventually(() => exists(deployment.hostCore.readNamespacedService({ namespace: 'vc-a', name: 'api' })), 60_000);
    });

    it('are refused (403) anything outside the rules', async () => {
      const { writer, hostWatcher, configWatcher } = deployment.identities;
      const service = { metadata: { name: 'intruder' }, spec: { ports: [{ port: 80 }] } };
      assert.equal(await statusOf(writer.core.createNamespacedService({ namespace: 'elsewhere', body: service })), 403, 'writer: a namespace not in values');
      assert.equal(await statusOf(writer.core.readNamespacedSecret({ namespace: 'vc-a', name: 'not-a-kubeconfig' })), 403, 'writer: a Secret not named');
      assert.equal(await statusOf(writer.core.createNamespacedService({ namespace: 'shared', body: service })), 403, 'writer: a fromHost source namespace');
      assert.equal(await statusOf(hostWatcher.core.listNamespacedService({ namespace: 'elsewhere' })), 403, 'host-watcher: a namespace not in values');
      assert.equal(await statusOf(hostWatcher.core.readNamespacedSecret({ namespace: 'vc-a', name: 'vc-a-kubeconfig' })), 403, 'host-watcher: kubeconfigs');
      assert.equal(await statusOf(configWatcher.core.listNamespacedConfigMap({ namespace: RELEASE.namespace })), 403, 'config-watcher: only gets named ConfigMaps');
    });

    it('report a mapping from a namespace the values do not name as forbidden, and write nothing', async () => {
      await deployment.configure({
        fromHost: [{ from: 'shared/web', to: 'default/web' }, { from: 'elsewhere/web', to: 'default/elsewhere' }],
        toHost: [{ from: 'default/api', to: 'api' }],
      });
      const key = 'a/fromHost/default/elsewhere';
      const status = await eventually(async () => {
        const current = await deployment.status(key);
        return current?.state === 'error' ? current : undefined;
      }, 60_000);
      assert.match(status.message, /forbidden/);
      assert.equal(await statusOf(deployment.tenantCore.readNamespacedService({ namespace: 'default', name: 'elsewhere' })), 404);
    });
  });
});

function namespace(name: string): KubernetesObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}
