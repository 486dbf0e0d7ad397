import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { KubernetesObject, V1Deployment, V1NetworkPolicy, V1PodDisruptionBudget, V1Role, V1Service, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { parseTenantsFile, tenantHostGrants } from '@service-replicator/replication-config';
import { CHART, ofKind, renderChart, runHelm } from './support/helm-chart';
import { EVERYTHING_ON, RELEASE, TENANT_VARIANTS, VALUES } from './support/chart-values';
import { serverSuite } from './support/server-suite';
import { chartDefaults, chartSchema, mergeValues, schemaCoverage, withKeyAt } from './support/values-schema';

const byApp = (objects: readonly KubernetesObject[], kind: string) =>
  new Map(ofKind(objects, kind).map((o) => [o.metadata?.labels?.['app.kubernetes.io/component'] ?? '', o]));
const podSpec = (objects: readonly KubernetesObject[], app: string) => (byApp(objects, 'Deployment').get(app) as V1Deployment).spec?.template;
const APPS = ['config-watcher', 'host-watcher', 'tenant-watcher', 'writer'];

/** The fields of the two custom kinds these tests read (their CRDs are checked in helm-chart.test.ts). */
interface ServiceMonitor extends KubernetesObject {
  spec: { namespaceSelector: unknown; selector: { matchLabels: Record<string, string> }; endpoints: unknown[] };
}
interface ScaledObject extends KubernetesObject {
  spec: { scaleTargetRef: { name: string }; minReplicaCount: number; maxReplicaCount: number; triggers: unknown[] };
}

serverSuite('helm chart: rendering', () => {
  it('passes helm lint, with the defaults and with every optional object on', async () => {
    for (const values of [VALUES, EVERYTHING_ON]) {
      const result = await runHelm(['lint', CHART, '--strict'], values);
      assert.equal(result.status, 0, result.stdout + result.stderr);
    }
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
    const accounts = ofKind(objects, 'ServiceAccount').filter((sa) => sa.metadata?.labels?.['app.kubernetes.io/component'] !== 'tenant-identity');
    assert.deepEqual(deployments.map((d) => d.spec?.template.spec?.serviceAccountName).sort(), accounts.map((sa) => sa.metadata?.name).sort());
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
    assert.deepEqual(tenantsFile.tenants[0].fromHostNamespaces, ['shared']);
    assert.equal(tenantsFile.tenants[0].hostServiceAccount, 'service-replicator/sr-service-replicator-tenant-a');
    assert.equal(tenantsFile.tenants[1].hostServiceAccount, 'service-replicator/sr-service-replicator-tenant-b');
    const inline = configMaps.find((cm) => cm.metadata?.name === 'sr-service-replicator-tenant-a');
    assert.deepEqual(parse(inline?.data['vcluster.yaml'] ?? ''), { networking: { replicateServices: {} } });
  });

  it('grants namespaced Roles only, in the namespaces the values name, with gets limited to named objects and config watches to config namespaces', async () => {
    const objects = await renderChart(RELEASE, VALUES);
    assert.deepEqual(ofKind(objects, 'ClusterRole').concat(ofKind(objects, 'ClusterRoleBinding')), []);
    const roles = ofKind(objects, 'Role') as V1Role[];
    const where = (app: string) => roles.filter((r) => r.metadata?.name === `sr-service-replicator-${app}`).map((r) => r.metadata?.namespace).sort();
    assert.deepEqual(where('host-watcher'), ['extra', 'shared', 'vc-a', 'vc-b']);
    assert.deepEqual(where('writer'), ['service-replicator', 'vc-a']);
    assert.deepEqual(where('tenant-watcher'), ['service-replicator', 'vc-a']);
    assert.deepEqual(where('config-watcher'), ['config', 'service-replicator']);
    for (const rule of roles.flatMap((role) => role.rules ?? [])) {
      if (rule.resources?.some((r) => r === 'secrets' || r === 'configmaps' || r === 'serviceaccounts') && !rule.verbs.includes('watch')) assert.ok(rule.resourceNames?.length, JSON.stringify(rule));
      assert.ok(!rule.verbs.includes('*') && !rule.resources?.includes('*'), JSON.stringify(rule));
    }
    // config-watcher watches the namespaces holding tenants' configs (one watch each, no GET per poll).
    const configWatcherRules = roles.filter((r) => r.metadata?.name === 'sr-service-replicator-config-watcher').map((r) => [r.metadata?.namespace, r.rules?.map((rule) => [rule.resources, rule.verbs])]);
    assert.deepEqual(configWatcherRules.sort(), [['config', [[['configmaps'], ['list', 'watch']]]], ['service-replicator', [[['configmaps'], ['list', 'watch']]]]]);
    const hostWatcherPods = roles.filter((r) => r.metadata?.name === 'sr-service-replicator-host-watcher' && r.rules?.some((rule) => rule.resources?.includes('pods')));
    assert.deepEqual(hostWatcherPods.map((r) => r.metadata?.namespace), ['vc-a'], "pods only where toHost mirrors copy endpoints (tenant a's allowedHostNamespaces)");
  });

  it("gives each tenant its own host identity, with Roles only where it may read or write, and the writer impersonate on exactly those", async () => {
    const objects = await renderChart(RELEASE, VALUES);
    const roles = ofKind(objects, 'Role') as V1Role[];
    const identity = (tenant: string) => `sr-service-replicator-tenant-${tenant}`;
    const rulesOf = (tenant: string) =>
      Object.fromEntries(roles.filter((r) => r.metadata?.name === identity(tenant)).map((r) => [r.metadata?.namespace, r.rules?.map((rule) => `${rule.resources} ${rule.verbs}`)]));
    const write = ['services get,create,update,delete', 'endpointslices list,create,update,delete', 'events create'];
    assert.deepEqual(rulesOf('a'), { shared: ['services get', 'endpointslices list'], 'vc-a': write, extra: write });
    assert.deepEqual(rulesOf('b'), { 'vc-b': write });
    const accounts = ofKind(objects, 'ServiceAccount').filter((sa) => sa.metadata?.labels?.['app.kubernetes.io/component'] === 'tenant-identity');
    assert.deepEqual(accounts.map((sa) => `${sa.metadata?.namespace}/${sa.metadata?.name}`), ['service-replicator/' + identity('a'), 'service-replicator/' + identity('b')]);
    assert.ok(accounts.every((sa) => (sa as { automountServiceAccountToken?: boolean }).automountServiceAccountToken === false));
    const writer = roles.find((r) => r.metadata?.name === 'sr-service-replicator-writer' && r.metadata.namespace === RELEASE.namespace);
    assert.deepEqual(writer?.rules?.find((rule) => rule.verbs.includes('impersonate')), {
      apiGroups: [''],
      resources: ['serviceaccounts'],
      resourceNames: [identity('a'), identity('b')],
      verbs: ['impersonate'],
    });
  });

  it('discovery: Roles in the searched namespaces (Secrets for config-watcher, kubeconfigs, a tenant hostNamespace each); cluster-wide only when asked for all namespaces', async () => {
    const searched = await renderChart(RELEASE, { ...VALUES, discovery: { namespaces: ['vcluster-x'] } });
    assert.deepEqual(ofKind(searched, 'ClusterRole'), []);
    const inX = (ofKind(searched, 'Role') as V1Role[]).filter((role) => role.metadata?.namespace === 'vcluster-x');
    const rulesOf = (app: string) => inX.find((role) => role.metadata?.name === `sr-service-replicator-${app}`)?.rules?.map((rule) => `${rule.resources?.join()}:${rule.verbs.join()}`);
    assert.deepEqual(rulesOf('config-watcher'), ['secrets:list,watch']);
    assert.deepEqual(rulesOf('tenant-watcher'), ['secrets:get']);
    assert.deepEqual(rulesOf('host-watcher'), ['services:list,watch', 'endpointslices:list,watch']);
    assert.deepEqual(rulesOf('writer'), ['secrets:get'], 'the writer writes as each tenant\'s host identity, not as itself');
    const env = (podSpec(searched, 'config-watcher')?.spec?.containers[0].env ?? []).filter((e) => e.name.startsWith('DISCOVERY_'));
    assert.deepEqual(env, [{ name: 'DISCOVERY_NAMESPACES', value: 'vcluster-x' }]);

    const everywhere = await renderChart(RELEASE, { ...VALUES, discovery: { allNamespaces: true } });
    const clusterRoles = ofKind(everywhere, 'ClusterRole') as V1Role[];
    assert.deepEqual(clusterRoles.map((role) => role.metadata?.name).sort(), APPS.map((app) => `sr-service-replicator-${app}`));
    assert.deepEqual(ofKind(everywhere, 'ClusterRoleBinding').length, 4);
    assert.deepEqual((podSpec(everywhere, 'config-watcher')?.spec?.containers[0].env ?? []).find((e) => e.name === 'DISCOVERY_NAMESPACES')?.value, '*');
  });

  it('grants core/v1 Endpoints only in the target namespaces of tenants that adopt vCluster mirrors or write Endpoints', async () => {
    // `role`: an app (host-watcher, writer) or a tenant's host identity (tenant-a), which the writer acts as.
    const endpointsRules = async (values: object, role: string) =>
      (ofKind(await renderChart(RELEASE, values), 'Role') as V1Role[])
        .filter((r) => r.metadata?.name === `sr-service-replicator-${role}`)
        .flatMap((r) => (r.rules ?? []).filter((rule) => rule.resources?.includes('endpoints')).map((rule) => [r.metadata?.namespace, rule.verbs]));
    const roles = ['host-watcher', 'writer', 'tenant-a', 'tenant-b'];
    const without = await Promise.all(roles.map((role) => endpointsRules(VALUES, role)));
    assert.deepEqual(without.flat(), [], 'nothing about Endpoints without the options');
    const values = { ...VALUES, tenants: [{ ...VALUES.tenants[0], adoptVClusterMirrors: true }, { ...VALUES.tenants[1], endpoints: true }] };
    assert.deepEqual(await endpointsRules(values, 'host-watcher'), [['extra', ['list', 'watch']], ['vc-a', ['list', 'watch']], ['vc-b', ['list', 'watch']]]);
    assert.deepEqual(await endpointsRules(values, 'writer'), [], 'the writer writes Endpoints only as a tenant');
    const write = ['get', 'create', 'update', 'delete'];
    assert.deepEqual(await endpointsRules(values, 'tenant-a'), [['extra', write], ['vc-a', write]], "only in tenant a's targets, not where it only reads (shared)");
    assert.deepEqual(await endpointsRules(values, 'tenant-b'), [['vc-b', write]]);
    const configMaps = ofKind(await renderChart(RELEASE, values), 'ConfigMap') as { metadata?: { name?: string }; data: Record<string, string> }[];
    const tenantsFile = parse(configMaps.find((cm) => cm.metadata?.name === 'sr-service-replicator-tenants')?.data['tenants.yaml'] ?? '');
    assert.deepEqual(tenantsFile.tenants.map((t: { adoptVClusterMirrors?: boolean; endpoints?: boolean }) => [t.adoptVClusterMirrors, t.endpoints]), [[true, undefined], [undefined, true]]);
  });

  it("gives each tenant's host identity exactly the Roles tenantHostGrants computes from the tenants file it renders", async () => {
    const objects = await renderChart(RELEASE, { ...VALUES, tenants: TENANT_VARIANTS });
    const configMaps = ofKind(objects, 'ConfigMap') as { metadata?: { name?: string }; data: Record<string, string> }[];
    const { tenants, issues } = parseTenantsFile(configMaps.find((cm) => cm.metadata?.name === 'sr-service-replicator-tenants')?.data['tenants.yaml'] ?? '');
    assert.deepEqual(issues, []);
    const roles = ofKind(objects, 'Role') as V1Role[];
    const byNamespace = <T extends { namespace?: string }>(items: T[]) => items.sort((a, b) => (a.namespace ?? '').localeCompare(b.namespace ?? ''));
    assert.equal(tenants?.length, TENANT_VARIANTS.length);
    for (const tenant of tenants ?? []) {
      const grants = tenantHostGrants(tenant);
      const rendered = roles.filter((role) => role.metadata?.name === grants.serviceAccount.name && role.metadata.namespace !== RELEASE.namespace);
      assert.deepEqual(
        byNamespace(rendered.map((role) => ({ namespace: role.metadata?.namespace, rules: role.rules }))),
        byNamespace(grants.roles.map((role) => ({ namespace: role.namespace, rules: role.rules }))),
        `tenant ${tenant.name}`,
      );
    }
  });

  it('gives each app a Service for its health and operator ports, selecting only that app, and the port the app listens on', async () => {
    const objects = await renderChart(RELEASE, VALUES);
    const services = byApp(objects, 'Service') as Map<string, V1Service>;
    assert.deepEqual([...services.keys()].sort(), APPS);
    for (const app of APPS) {
      const service = services.get(app)?.spec;
      const template = podSpec(objects, app);
      assert.equal(services.get(app)?.metadata?.name, `sr-service-replicator-${app}`);
      assert.deepEqual(service?.selector, { 'app.kubernetes.io/name': 'service-replicator', 'app.kubernetes.io/instance': 'sr', 'app.kubernetes.io/component': app });
      for (const [key, value] of Object.entries(service?.selector ?? {})) assert.equal(template?.metadata?.labels?.[key], value, `${app} pods match its Service`);
      assert.deepEqual(service?.ports?.map((p) => [p.name, p.port, p.targetPort]), [['http', 8080, 'http'], ['operator', 8081, 'operator']]);
      const container = template?.spec?.containers[0];
      const env = new Map(container?.env?.map((e) => [e.name, e.value]));
      assert.deepEqual(container?.ports?.map((p) => [p.name, p.containerPort]), [['http', 8080], ['operator', 8081]]);
      assert.equal(env.get('HTTP_PORT'), '8080');
      assert.equal(env.get('OPERATOR_HTTP_PORT'), '8081', `${app} serves the operator surface on the port its Service names operator`);
    }
  });

  it('labels and annotates pods, probes their start, and spreads each app over nodes on its own pods', async () => {
    const objects = await renderChart(RELEASE, EVERYTHING_ON);
    const watcher = podSpec(objects, 'config-watcher');
    assert.equal(watcher?.metadata?.labels?.team, 'platform');
    assert.deepEqual(watcher?.metadata?.annotations, { note: 'status page' });
    const deployment = byApp(objects, 'Deployment').get('config-watcher') as V1Deployment;
    assert.equal(deployment.spec?.selector.matchLabels?.team, undefined, 'pod labels stay out of the selector (it is immutable)');
    const writer = podSpec(objects, 'writer')?.spec;
    assert.deepEqual(writer?.containers[0].startupProbe, { httpGet: { path: '/health/live', port: 'http' }, periodSeconds: 2, failureThreshold: 90 });
    assert.equal(podSpec(objects, 'host-watcher')?.spec?.containers[0].startupProbe, undefined, 'startupProbe.enabled: false');
    assert.deepEqual(podSpec(objects, 'tenant-watcher')?.spec?.containers[0].startupProbe?.failureThreshold, 36, 'the default');
    assert.deepEqual(writer?.topologySpreadConstraints, [
      {
        maxSkew: 1,
        topologyKey: 'kubernetes.io/hostname',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'service-replicator', 'app.kubernetes.io/instance': 'sr', 'app.kubernetes.io/component': 'writer' } },
      },
    ]);
  });

  it('budgets disruptions for the writer by default, and for any app that asks', async () => {
    const budgets = async (values: object) => byApp(await renderChart(RELEASE, values), 'PodDisruptionBudget') as Map<string, V1PodDisruptionBudget>;
    const byDefault = await budgets(VALUES);
    assert.deepEqual([...byDefault.keys()], ['writer']);
    assert.deepEqual(byDefault.get('writer')?.spec, { maxUnavailable: 1, selector: { matchLabels: podSpec(await renderChart(RELEASE, VALUES), 'writer')?.metadata?.labels } });
    const all = await budgets(EVERYTHING_ON);
    assert.deepEqual(APPS.map((app) => [app, all.get(app)?.spec?.minAvailable, all.get(app)?.spec?.maxUnavailable]), [
      ['config-watcher', 1, undefined],
      ['host-watcher', undefined, '50%'],
      ['tenant-watcher', undefined, 1],
      ['writer', undefined, 1],
    ]);
  });

  it('lets only the monitoring namespace (by default) reach the operator port, and anyone the health port', async () => {
    const [policy] = ofKind(await renderChart(RELEASE, VALUES), 'NetworkPolicy') as V1NetworkPolicy[];
    assert.deepEqual(policy.spec?.podSelector, { matchLabels: { 'app.kubernetes.io/name': 'service-replicator', 'app.kubernetes.io/instance': 'sr' } });
    assert.deepEqual(policy.spec?.policyTypes, ['Ingress']);
    assert.deepEqual(policy.spec?.ingress, [
      { ports: [{ port: 'http', protocol: 'TCP' }] },
      { ports: [{ port: 'operator', protocol: 'TCP' }], from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }] },
    ]);
    const [extended] = ofKind(await renderChart(RELEASE, EVERYTHING_ON), 'NetworkPolicy') as V1NetworkPolicy[];
    assert.deepEqual(extended.spec?.ingress?.[2], EVERYTHING_ON.networkPolicy.extraIngress[0]);
    assert.deepEqual(ofKind(await renderChart(RELEASE, { ...VALUES, networkPolicy: { enabled: false } }), 'NetworkPolicy'), []);
  });

  it('scrapes every app on its operator port through a ServiceMonitor, when asked', async () => {
    assert.deepEqual(ofKind(await renderChart(RELEASE, VALUES), 'ServiceMonitor'), []);
    const objects = await renderChart(RELEASE, EVERYTHING_ON);
    const [monitor] = ofKind(objects, 'ServiceMonitor') as ServiceMonitor[];
    assert.equal(monitor.metadata?.namespace, 'monitoring');
    assert.equal(monitor.metadata?.labels?.release, 'kube-prometheus-stack');
    assert.deepEqual(monitor.spec.namespaceSelector, { matchNames: [RELEASE.namespace] });
    assert.deepEqual(monitor.spec.endpoints, [{ port: 'operator', path: '/metrics', interval: '30s', scrapeTimeout: '10s', relabelings: [{ action: 'labeldrop', regex: 'pod' }] }]);
    const selected = ofKind(objects, 'Service').filter((s) => Object.entries(monitor.spec.selector.matchLabels).every(([k, v]) => s.metadata?.labels?.[k] === v));
    assert.equal(selected.length, 4, 'the four apps’ Services');
  });

  it('scales the writer on the queue backlog with KEDA or an HPA, leaving it the replica count', async () => {
    const keda = await renderChart(RELEASE, EVERYTHING_ON);
    const [scaled] = ofKind(keda, 'ScaledObject') as ScaledObject[];
    assert.equal(scaled.spec.scaleTargetRef.name, 'sr-service-replicator-writer');
    assert.deepEqual([scaled.spec.minReplicaCount, scaled.spec.maxReplicaCount], [1, 20]);
    assert.deepEqual(scaled.spec.triggers[0], {
      type: 'prometheus',
      metricType: 'AverageValue',
      metadata: {
        serverAddress: 'http://prometheus-operated.monitoring.svc:9090',
        query: 'sum(max by (state) (replicator_queue_jobs{namespace="service-replicator", service="sr-service-replicator-writer", state=~"waiting|prioritized|delayed|active"}))',
        threshold: '100',
        activationThreshold: '0',
      },
    });
    assert.equal((byApp(keda, 'Deployment').get('writer') as V1Deployment).spec?.replicas, undefined, 'an upgrade must not reset what KEDA chose');
    assert.equal((byApp(keda, 'Deployment').get('host-watcher') as V1Deployment).spec?.replicas, 1);

    const hpa = await renderChart(RELEASE, { ...VALUES, writer: { autoscaling: { hpa: { enabled: true, targetAverageValue: '50' } } } });
    const [autoscaler] = ofKind(hpa, 'HorizontalPodAutoscaler') as V2HorizontalPodAutoscaler[];
    assert.deepEqual(autoscaler.spec?.metrics, [
      { type: 'External', external: { metric: { name: 'replicator_queue_backlog', selector: { matchLabels: { service: 'sr-service-replicator-writer' } } }, target: { type: 'AverageValue', averageValue: '50' } } },
    ]);
    assert.deepEqual(ofKind(hpa, 'ScaledObject'), []);
    assert.deepEqual(ofKind(await renderChart(RELEASE, VALUES), 'HorizontalPodAutoscaler').concat(ofKind(await renderChart(RELEASE, VALUES), 'ScaledObject')), []);
  });

  it('prints NOTES with the port-forward command for the status page, with the release’s own names', async () => {
    const notesOf = async (release: { name: string; namespace: string }, values: object) => {
      // --dry-run=client renders the NOTES an install prints, without a cluster.
      const result = await runHelm(['install', release.name, CHART, '--namespace', release.namespace, '--dry-run=client'], values);
      assert.equal(result.status, 0, result.stderr);
      return result.stdout.slice(result.stdout.indexOf('NOTES:'));
    };
    const notes = await notesOf({ name: 'edge', namespace: 'platform' }, { ...VALUES, operatorPort: 9100, redis: { url: 'rediss://replicator:s3cret@redis.data:6380/0' } });
    assert.match(notes, /sharing the Redis at rediss:\/\/redis\.data:6380\./);
    assert.doesNotMatch(notes, /s3cret/, 'NOTES are printed and stored with the release: no password');
    assert.match(notes, /kubectl --namespace platform port-forward service\/edge-service-replicator-config-watcher 9100:9100/);
    assert.match(notes, /open http:\/\/localhost:9100\/status/);
    assert.match(notes, /Tenants: a \(vc-a\), b \(vc-b\)\./);
    assert.match(notes, /NetworkPolicy\s+edge-service-replicator admits only networkPolicy\.operatorFrom/);
    const bare = await notesOf(RELEASE, { networkPolicy: { enabled: false }, writer: { autoscaling: { keda: { enabled: true } } } });
    assert.match(bare, /No tenants are configured yet/);
    assert.match(bare, /no\s+NetworkPolicy guards it/);
    assert.match(bare, /kubectl --namespace service-replicator get scaledobject sr-service-replicator-writer/);
  });
});

serverSuite('helm chart: values', () => {
  /** values.yaml with every optional object on and a tenant of each kind: every key the chart reads. */
  const everyValue = () => mergeValues(chartDefaults(), { ...EVERYTHING_ON, tenants: TENANT_VARIANTS }) as object;

  it('describes every key of values.yaml in values.schema.json', () => {
    const values = everyValue();
    const coverage = schemaCoverage(chartSchema(), values);
    assert.deepEqual(coverage.undescribed, []);
    assert.ok(coverage.closedObjects.length >= 40, `the walk reached ${coverage.closedObjects.length} objects`);
    // What the schema takes whole must be Kubernetes' types, label maps or a tenant's vcluster.yaml, never the chart's own.
    const kubernetesOrUser = /\/(resources|podLabels|podAnnotations|labels|podSecurityContext|containerSecurityContext|namespaceSelector|config\/values)$|\/(extraIngress|relabelings|topologySpreadConstraints)\/\d+$/;
    assert.deepEqual(coverage.passedThrough.filter((pointer) => !kubernetesOrUser.test(pointer)), []);
    // The walk does find a key the schema lacks.
    assert.deepEqual(schemaCoverage(chartSchema(), { writer: { autoscaling: { keda: { speed: 1 } } } }).undescribed, ['/writer/autoscaling/keda/speed']);
  });

  it('refuses an unknown key in every object the chart defines, naming where', async () => {
    const values = everyValue();
    const { closedObjects } = schemaCoverage(chartSchema(), values);
    const result = await runHelm(['template', RELEASE.name, CHART], withKeyAt(values, closedObjects, 'notAValue'));
    assert.notEqual(result.status, 0);
    const refused = [...result.stderr.matchAll(/at '([^']*)': additional properties 'notAValue' not allowed/g)].map((m) => m[1]);
    assert.deepEqual(refused.sort(), closedObjects.map((p) => p || '').sort());
  });

  it('refuses values that break the schema, naming the problem', async () => {
    const noKubeconfig = { tenants: [{ name: 'a', hostNamespace: 'vc-a', config: { values: {} } }] };
    const twoSources = { tenants: [{ ...VALUES.tenants[0], config: { values: {}, configMap: { name: 'c', key: 'k' } } }] };
    const badNamespace = { tenants: [{ ...VALUES.tenants[0], fromHostNamespaces: ['Not_A_Namespace'] }] };
    const badThreshold = { writer: { autoscaling: { keda: { enabled: true, prometheus: { threshold: 'lots' } } } } };
    const zeroWriters = { writer: { autoscaling: { keda: { enabled: true, minReplicas: 0 } } } };
    const cases = [
      [noKubeconfig, /kubeconfig/],
      [twoSources, /maxProperties|maximum 1|at most 1/],
      [badNamespace, /fromHostNamespaces/],
      [badThreshold, /\/writer\/autoscaling\/keda\/prometheus\/threshold/],
      [zeroWriters, /\/writer\/autoscaling\/keda\/minReplicas/],
    ] as const;
    for (const [values, expected] of cases) {
      const result = await runHelm(['template', RELEASE.name, CHART], values);
      assert.notEqual(result.status, 0, JSON.stringify(values));
      assert.match(result.stderr, expected);
    }
  });

  it('refuses combinations that cannot work, saying what to change', async () => {
    const cases = [
      [{ operatorPort: 8080 }, /operatorPort \(8080\) must differ from httpPort/],
      [{ writer: { autoscaling: { keda: { enabled: true }, hpa: { enabled: true } } } }, /writer\.autoscaling: enable keda or hpa, not both/],
      [{ writer: { autoscaling: { hpa: { enabled: true, minReplicas: 5, maxReplicas: 2 } } } }, /writer\.autoscaling\.hpa: minReplicas \(5\) is above maxReplicas \(2\)/],
      [{ writer: { podDisruptionBudget: { enabled: true, minAvailable: 1, maxUnavailable: 1 } } }, /writer\.podDisruptionBudget: set minAvailable or maxUnavailable, not both/],
      [{ operatorHost: '127.0.0.1', serviceMonitor: { enabled: true } }, /operatorHost 127\.0\.0\.1 is reachable only through kubectl port-forward/],
    ] as const;
    for (const [values, expected] of cases) {
      const result = await runHelm(['template', RELEASE.name, CHART], values);
      assert.notEqual(result.status, 0, JSON.stringify(values));
      assert.match(result.stderr, expected);
    }
  });
});
