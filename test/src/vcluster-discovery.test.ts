import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { KubeConfig, type V1Secret } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import type { ControlPlane } from '@service-replicator/control-plane-harness';
import { statusOf } from './support/replication-fixture';
import { serverSuite } from './support/server-suite';
import { SmallDeployment } from './support/small-deployment';
import { eventually } from './support/wait';

const PREFIX = 'e2e-discovery';
const GRACE_SECONDS = 4;
const SEARCHED = ['vcluster-team-a', 'vcluster-team-b', 'vcluster-team-c'];

/** vCluster's chart writes a release's whole values as `vc-config-<release>` (chart/templates/config-secret.yaml). */
function configSecret(release: string, replicateServices: object, extraAnnotations: Record<string, string> = {}): V1Secret {
  const values = { controlPlane: { distro: { k8s: { enabled: true } } }, networking: { replicateServices } };
  // The platform lets these vClusters' fromHost entries read the host namespace `shared`.
  const annotations = { 'replicator.service-replicator.io/from-host-namespaces': 'shared', ...extraAnnotations };
  return {
    metadata: { name: `vc-config-${release}`, labels: { app: 'vcluster', chart: 'vcluster-0.30.0', release, heritage: 'Helm' }, annotations },
    type: 'Opaque',
    data: { 'config.yaml': Buffer.from(stringify(values)).toString('base64') },
  };
}

/**
 * vCluster's syncer writes `vc-<name>` (pkg/util/kubeconfig WriteKubeConfig): the kubeconfig with
 * server https://localhost:8443 (reachable only inside the vCluster's pod), and its parts.
 */
function kubeconfigSecret(name: string, tenant: ControlPlane): V1Secret {
  const kc = new KubeConfig();
  kc.loadFromString(tenant.kubeConfig.exportConfig());
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  kc.loadFromOptions({
    clusters: [{ ...cluster, name: `vcluster_${name}`, server: 'https://localhost:8443' }],
    users: [{ ...user, name: `vcluster_${name}` }],
    contexts: [{ name: `vcluster_${name}`, cluster: `vcluster_${name}`, user: `vcluster_${name}` }],
    currentContext: `vcluster_${name}`,
  });
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  return {
    metadata: { name: `vc-${name}`, labels: { app: 'vcluster', 'vcluster-name': name } },
    type: 'Opaque',
    data: { config: b64(kc.exportConfig()), 'certificate-authority': cluster?.caData ?? '', 'client-certificate': user?.certData ?? '', 'client-key': user?.keyData ?? '', token: '' },
  };
}

/**
 * Discovery mode against real API servers: config-watcher finds vClusters from the Secrets vCluster
 * writes in the searched host namespaces, and replicates them like tenants of the tenants file.
 * The kubeconfig names localhost as vCluster's does; DISCOVERY_SERVER (whose default, the vCluster's
 * Service address, is unit-tested) is set to the tenant API server's loopback address, the one
 * address this test can reach it at.
 */
serverSuite('vCluster discovery', () => {
  let fx: SmallDeployment;

  const published = async (name: string) => {
    const raw = await fx.redis.hget(`${PREFIX}:replicator:tenants`, name);
    return raw ? (JSON.parse(raw) as { version: number; retireAt?: string; tenant: { hostNamespace: string; kubeconfig: object }; mappingCount: number }) : undefined;
  };
  const check = async (name: string) => {
    const raw = await fx.redis.hget(`${PREFIX}:replicator:config-checks`, name);
    return raw ? (JSON.parse(raw) as { valid: boolean; issues: { path: string; message: string }[] }) : undefined;
  };
  const mirror = (namespace: string, name: string) => statusOf(fx.tenantCore.readNamespacedService({ namespace, name }));

  before(async () => {
    fx = await SmallDeployment.start(PREFIX);
    for (const name of [...SEARCHED, 'elsewhere']) await fx.hostCore.createNamespace({ body: { metadata: { name } } });
    // The platform gives each vCluster its host identity (the writer acts as it), as the chart does for the tenants it lists.
    for (const name of ['team-a', 'team-c']) await fx.grantTenant(name, { file: 'unused' }, { hostNamespace: `vcluster-${name}` });
    await fx.hostCore.createNamespacedService({ namespace: 'shared', body: { metadata: { name: 'db' }, spec: { ports: [{ port: 5432 }] } } });
    await fx.hostCore.createNamespacedService({ namespace: 'shared', body: { metadata: { name: 'cache' }, spec: { ports: [{ port: 6379 }] } } });
    // Both sources at once: the tenants file declares team-b, which is also installed as a vCluster below.
    await writeFile(join(fx.dir, 'team-b.vcluster.yaml'), stringify({ networking: { replicateServices: { fromHost: [{ from: 'shared/db', to: 'from-file/db' }] } } }));
    await fx.writeTenantsFile([await fx.grantTenant('team-b', { file: 'team-b.vcluster.yaml' }, { hostNamespace: 'vcluster-team-b' })]);
    await fx.startApps({
      DISCOVERY_NAMESPACES: SEARCHED.join(','),
      DISCOVERY_SERVER: fx.tenant.server,
      REMOVAL_GRACE_SECONDS: String(GRACE_SECONDS),
      CONFIG_POLL_MS: '60000',
    });
    await fx.inSync('team-b/fromHost/from-file/db');
  });

  after(async () => fx?.stop());

  it('a new vCluster replicates within 10 s of its Secrets appearing, reached at the rewritten address', async () => {
    const started = Date.now();
    await fx.hostCore.createNamespacedSecret({ namespace: 'vcluster-team-a', body: configSecret('team-a', { fromHost: [{ from: 'shared/db', to: 'team-a/db' }] }) });
    await fx.hostCore.createNamespacedSecret({ namespace: 'vcluster-team-a', body: kubeconfigSecret('team-a', fx.tenant) });
    await eventually(async () => ((await mirror('team-a', 'db')) === 200 ? true : undefined), 10_000, 50);
    const tookMs = Date.now() - started;
    console.log(`discovered vCluster team-a replicating after ${tookMs} ms`);
    await fx.inSync('team-a/fromHost/team-a/db');
    const record = await published('team-a');
    assert.equal(record?.tenant.hostNamespace, 'vcluster-team-a');
    assert.deepEqual(record?.tenant.kubeconfig, { secret: { namespace: 'vcluster-team-a', name: 'vc-team-a', key: 'config' }, server: fx.tenant.server });
  });

  it('a changed vcluster.yaml in its config Secret applies live (a watch event, not a poll)', async () => {
    const body = configSecret('team-a', { fromHost: [{ from: 'shared/db', to: 'team-a/db' }, { from: 'shared/cache', to: 'team-a/cache' }] });
    await fx.hostCore.replaceNamespacedSecret({ namespace: 'vcluster-team-a', name: 'vc-config-team-a', body });
    // CONFIG_POLL_MS is a minute: only the Secret's watch event can bring this in time.
    await eventually(async () => ((await mirror('team-a', 'cache')) === 200 ? true : undefined), 15_000, 50);
  });

  it('a name both sources declare is the tenants file\'s, and the clash is reported on the tenant', async () => {
    await fx.hostCore.createNamespacedSecret({ namespace: 'vcluster-team-b', body: configSecret('team-b', { fromHost: [{ from: 'shared/db', to: 'from-vcluster/db' }] }) });
    await fx.hostCore.createNamespacedSecret({ namespace: 'vcluster-team-b', body: kubeconfigSecret('team-b', fx.tenant) });
    const reported = await eventually(async () => {
      const found = await check('team-b');
      return found?.issues.some((issue) => issue.message.includes('already declared by the tenants file')) ? found : undefined;
    }, 15_000);
    assert.match(reported.issues[0].path, /vCluster vcluster-team-b\/team-b/);
    assert.deepEqual((await published('team-b'))?.tenant.kubeconfig, { file: fx.tenant.kubeconfigPath });
    assert.equal(await mirror('from-file', 'db'), 200);
    assert.equal(await mirror('from-vcluster', 'db'), 404);
  });

  it('a bad option annotation is reported where it is and publishes nothing; Secrets outside the searched namespaces are not looked at', async () => {
    await fx.hostCore.createNamespacedSecret({ namespace: 'elsewhere', body: configSecret('team-x', { fromHost: [{ from: 'shared/db', to: 'team-x/db' }] }) });
    await fx.hostCore.createNamespacedSecret({ namespace: 'elsewhere', body: kubeconfigSecret('team-x', fx.tenant) });
    const annotations = { 'replicator.service-replicator.io/to-host-mode': 'pods' };
    await fx.hostCore.createNamespacedSecret({ namespace: 'vcluster-team-c', body: configSecret('team-c', { fromHost: [{ from: 'shared/db', to: 'team-c/db' }] }, annotations) });
    await fx.hostCore.createNamespacedSecret({ namespace: 'vcluster-team-c', body: kubeconfigSecret('team-c', fx.tenant) });
    const reported = await eventually(async () => check('team-c'), 15_000);
    assert.equal(reported.valid, false);
    assert.deepEqual(reported.issues.map((issue) => `${issue.path}: ${issue.message}`), [
      'Secret vcluster-team-c/vc-config-team-c annotation replicator.service-replicator.io/to-host-mode: must be selector or endpoints, got "pods"',
    ]);
    assert.equal(await published('team-c'), undefined);
    assert.equal(await published('team-x'), undefined);
  });

  it('a removed vCluster is retired like a tenant removed from the tenants file: its mirrors stay for the grace, then go', async () => {
    await fx.hostCore.deleteNamespacedSecret({ namespace: 'vcluster-team-a', name: 'vc-config-team-a' });
    await fx.hostCore.deleteNamespacedSecret({ namespace: 'vcluster-team-a', name: 'vc-team-a' });
    const retiring = await eventually(async () => ((await published('team-a'))?.retireAt ? published('team-a') : undefined), 15_000);
    assert.ok(Date.parse(retiring?.retireAt ?? '') > Date.now(), 'the grace has not run out yet');
    assert.equal(await mirror('team-a', 'db'), 200, 'kept during the grace');
    await eventually(async () => ((await mirror('team-a', 'db')) === 404 && (await mirror('team-a', 'cache')) === 404 ? true : undefined), 60_000);
    assert.equal((await published('team-a'))?.mappingCount, 0);
  });
});
