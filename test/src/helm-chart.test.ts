import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CustomObjectsApi, type KubernetesObject } from '@kubernetes/client-node';
import { applyObjects, installCrds, ofKind, renderChart, type Release } from './support/helm-chart';
import { ChartDeployment } from './support/chart-deployment';
import { EVERYTHING_ON, RELEASE, VALUES } from './support/chart-values';
import { statusOf } from './support/replication-fixture';
import { serverSuite } from './support/server-suite';
import { eventually } from './support/wait';

/** A second release on the same host cluster, only ever dry-run. */
const DRY: Release = { name: 'dry', namespace: 'dry-run' };

/**
 * One host cluster serves every test here (each control plane costs seconds): the chart is
 * installed for real as release `sr`, its apps run under its RBAC, and release `dry` is checked
 * with server-side dry-run against the real ServiceMonitor and ScaledObject CRDs.
 */
serverSuite('helm chart against real API servers', () => {
  let deployment: ChartDeployment;
  before(async () => {
    deployment = await ChartDeployment.start(RELEASE);
    // Namespaces are the user's: the chart only puts objects into them.
    for (const name of [DRY.namespace, 'extra', 'vc-b', 'config', 'monitoring']) await deployment.hostCore.createNamespace({ body: { metadata: { name } } });
  });
  after(async () => {
    await deployment?.stop();
  });

  describe('server-side dry-run', () => {
    before(async () => {
      const installed = await installCrds(deployment.host.kubeConfig);
      assert.deepEqual(installed.sort(), ['ScaledObject keda.sh/v1alpha1', 'ServiceMonitor monitoring.coreos.com/v1']);
    });

    it('accepts every object, the ServiceMonitor and ScaledObject checked by the projects’ own CRDs, and stores nothing', async () => {
      const objects = await renderChart(DRY, EVERYTHING_ON);
      assert.deepEqual(['ServiceMonitor', 'ScaledObject', 'PodDisruptionBudget', 'NetworkPolicy', 'Service'].filter((kind) => ofKind(objects, kind).length === 0), []);
      await applyObjects(deployment.host.kubeConfig, objects, { dryRun: true });
      const hpa = await renderChart(DRY, { ...VALUES, writer: { autoscaling: { hpa: { enabled: true, behavior: { scaleDown: { stabilizationWindowSeconds: 600 } } } } } });
      await applyObjects(deployment.host.kubeConfig, ofKind(hpa, 'HorizontalPodAutoscaler'), { dryRun: true });

      const listed = await deployment.hostCore.listNamespacedServiceAccount({ namespace: DRY.namespace });
      assert.deepEqual(listed.items.map((sa) => sa.metadata?.name), ['default'], 'a dry run stores nothing');
      const custom = deployment.host.kubeConfig.makeApiClient(CustomObjectsApi);
      const monitors = await custom.listNamespacedCustomObject({ group: 'monitoring.coreos.com', version: 'v1', namespace: 'monitoring', plural: 'servicemonitors' });
      assert.deepEqual(monitors.items, []);
    });

    it('is a real check: the CRDs refuse what their schemas forbid', async () => {
      const badRelabeling = await renderChart(DRY, { ...EVERYTHING_ON, serviceMonitor: { enabled: true, relabelings: [{ action: 'explode' }] } });
      await assert.rejects(applyObjects(deployment.host.kubeConfig, ofKind(badRelabeling, 'ServiceMonitor'), { dryRun: true }), /relabelings\[0\]\.action: Unsupported value: \\"explode\\"/);
      const [scaled] = ofKind(await renderChart(DRY, EVERYTHING_ON), 'ScaledObject') as (KubernetesObject & { spec: Record<string, unknown> })[];
      const inverted = { ...scaled, spec: { ...scaled.spec, minReplicaCount: 5, maxReplicaCount: 2 } };
      await assert.rejects(applyObjects(deployment.host.kubeConfig, [inverted], { dryRun: true }), /minReplicaCount must be less than or equal to maxReplicaCount/);
    });
  });

  describe('the apps under exactly the chart RBAC and settings', () => {
    it('replicate both ways', async () => {
      const exists = async (call: Promise<unknown>) => ((await statusOf(call)) === 200 ? true : undefined);
      await eventually(() => exists(deployment.tenantCore.readNamespacedService({ namespace: 'default', name: 'web' })), 60_000);
      await eventually(() => exists(deployment.hostCore.readNamespacedService({ namespace: 'vc-a', name: 'api' })), 60_000);
      // Tenant a writes core/v1 Endpoints too: the chart's Roles let host-watcher follow them and tenant a's host identity (the writer acts as it) write them.
      const endpoints = await eventually(() => deployment.hostCore.readNamespacedEndpoints({ namespace: 'vc-a', name: 'api' }).catch(() => undefined), 60_000);
      assert.equal(endpoints.metadata?.labels?.['endpoints.kubernetes.io/managed-by'], 'service-replicator');
    });

    it('serve the status page, Bull Board and metrics on the operator port only, and health on the health port only', async () => {
      const { http, operator } = await deployment.addresses('config-watcher');
      const code = async (url: string) => (await fetch(url)).status;
      for (const path of ['/status', '/status.json', '/queues', '/metrics']) {
        assert.equal(await code(operator + path), 200, `operator port: ${path}`);
        assert.equal(await code(http + path), 404, `health port: ${path}`);
      }
      for (const path of ['/health/live', '/health/ready']) {
        assert.equal(await code(http + path), 200, `health port: ${path}`);
        assert.equal(await code(operator + path), 404, `operator port: ${path}`);
      }
      assert.match(await (await fetch(`${operator}/status`)).text(), /a\/fromHost\/default\/web|default\/web/);
      for (const app of ['host-watcher', 'tenant-watcher', 'writer'] as const) {
        const addresses = await deployment.addresses(app);
        assert.equal(await code(`${addresses.operator}/metrics`), 200, `${app}: /metrics on the operator port`);
        assert.equal(await code(`${addresses.http}/metrics`), 404, `${app}: not on the health port`);
        assert.equal(await code(`${addresses.http}/health/ready`), 200, `${app}: ready on the health port`);
      }
      const writer = await deployment.addresses('writer');
      assert.match(await (await fetch(`${writer.operator}/metrics`)).text(), /replicator_queue_jobs\{state="prioritized",app="writer"\} \d+/);
    });

    it('are refused (403) anything outside the rules', async () => {
      const { writer, hostWatcher, configWatcher } = deployment.identities;
      const service = { metadata: { name: 'intruder' }, spec: { ports: [{ port: 80 }] } };
      assert.equal(await statusOf(writer.core.createNamespacedService({ namespace: 'elsewhere', body: service })), 403, 'writer: a namespace not in values');
      assert.equal(await statusOf(writer.core.readNamespacedSecret({ namespace: 'vc-a', name: 'not-a-kubeconfig' })), 403, 'writer: a Secret not named');
      assert.equal(await statusOf(writer.core.createNamespacedService({ namespace: 'shared', body: service })), 403, 'writer: a fromHost source namespace');
      assert.equal(await statusOf(hostWatcher.core.listNamespacedService({ namespace: 'elsewhere' })), 403, 'host-watcher: a namespace not in values');
      assert.equal(await statusOf(hostWatcher.core.readNamespacedSecret({ namespace: 'vc-a', name: 'vc-a-kubeconfig' })), 403, 'host-watcher: kubeconfigs');
      // config-watcher watches ConfigMaps where tenants' configs are (one watch per namespace), nowhere else.
      assert.equal(await statusOf(configWatcher.core.listNamespacedConfigMap({ namespace: 'elsewhere' })), 403, 'config-watcher: ConfigMaps only where configs are');
      assert.equal(await statusOf(configWatcher.core.listNamespacedSecret({ namespace: RELEASE.namespace })), 403, 'config-watcher: no Secrets where no config is');
    });

    it("act for a tenant only as the tenant's host identity, which reaches nothing outside the tenant's grants", async () => {
      const asTenantA = deployment.actingAs(deployment.identities.writer, 'system:serviceaccount:service-replicator:sr-service-replicator-tenant-a');
      const asTenantB = deployment.actingAs(deployment.identities.writer, 'system:serviceaccount:service-replicator:sr-service-replicator-tenant-b');
      const asWatcher = deployment.actingAs(deployment.identities.writer, 'system:serviceaccount:service-replicator:sr-service-replicator-host-watcher');
      assert.equal(await statusOf(asTenantA.readNamespacedService({ namespace: 'shared', name: 'web' })), 200, 'a granted source namespace');
      assert.equal(await statusOf(asTenantA.readNamespacedService({ namespace: 'elsewhere', name: 'web' })), 403, 'a namespace not granted to tenant a');
      assert.equal(await statusOf(asTenantA.createNamespacedService({ namespace: 'shared', body: { metadata: { name: 'x' }, spec: { ports: [{ port: 80 }] } } })), 403, 'a source namespace is only read');
      assert.equal(await statusOf(asTenantB.readNamespacedService({ namespace: 'shared', name: 'web' })), 403, 'tenant b was not granted shared');
      assert.equal(await statusOf(asWatcher.listNamespacedService({ namespace: 'shared' })), 403, 'the writer may impersonate only tenant identities');
    });

    it('refuse by config a mapping from a namespace the tenant was not granted, and write nothing', async () => {
      await deployment.configure({
        fromHost: [{ from: 'shared/web', to: 'default/web' }, { from: 'elsewhere/web', to: 'default/elsewhere' }],
        toHost: [{ from: 'default/api', to: 'api' }],
      });
      const check = await eventually(async () => {
        const current = await deployment.configCheck('a');
        return current?.valid === false ? current : undefined;
      }, 60_000);
      assert.deepEqual(check.issues.map((issue) => [issue.path, issue.message]), [
        ['networking.replicateServices.fromHost[1].from', 'namespace "elsewhere" is not granted to tenant "a"; granted: vc-a, shared (fromHostNamespaces in the tenants file)'],
      ]);
      assert.equal(await statusOf(deployment.tenantCore.readNamespacedService({ namespace: 'default', name: 'elsewhere' })), 404);
    });

    it('stop cleanly on SIGTERM with connections to the operator port still open', async () => {
      const { operator } = await deployment.addresses('config-watcher');
      // fetch keeps its connection alive: an idle client must not hold the process open.
      assert.equal((await fetch(`${operator}/status.json`)).status, 200);
      assert.deepEqual(await deployment.stopApp('config-watcher'), { code: 0, signal: null });
    });
  });
});
