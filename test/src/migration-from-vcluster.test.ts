import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { CoreV1Api, KubeConfig, V1EndpointSlice, V1Endpoints, V1Service } from '@kubernetes/client-node';
import { OtlpReceiver, type ReceivedSpan } from '@service-replicator/control-plane-harness';
import { MANAGED_BY_LABEL, translateSelector } from '@service-replicator/service-translation';
import { ReplicationFixture, statusOf } from './support/replication-fixture';
import { ServedAddresses, type ServedSample } from './support/served-addresses';
import { serverSuite } from './support/server-suite';
import { startSyncedPod } from './support/synced-pods';
import { eventually } from './support/wait';

const VCLUSTER = { 'vcluster.loft.sh/controlled-by': 'vcluster' };
const MIRRORING_CONTROLLER = 'endpointslicemirroring-controller.k8s.io';
const CLIENT_SPAN = 3;

/** What vCluster's service sync leaves in a tenant for fromHost `shared/db -> default/db`: a headless Service and its Endpoints. */
async function vclusterTenantMirror(core: CoreV1Api, hostClusterIP: string): Promise<{ service: V1Service; endpoints: V1Endpoints }> {
  const service = await core.createNamespacedService({
    namespace: 'default',
    body: { metadata: { name: 'db', labels: VCLUSTER }, spec: { clusterIP: 'None', ports: [{ name: 'pg', port: 5432, targetPort: 15432, protocol: 'TCP' }] } },
  });
  const endpoints = await core.createNamespacedEndpoints({
    namespace: 'default',
    body: { metadata: { name: 'db', labels: VCLUSTER }, subsets: [{ addresses: [{ ip: hostClusterIP }], ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] }] },
  });
  return { service, endpoints };
}

async function slicesOf(fx: ReplicationFixture, tenant: 'a' | 'b', name: string): Promise<V1EndpointSlice[]> {
  const list = await fx.tenant(tenant).discovery.listNamespacedEndpointSlice({ namespace: 'default', labelSelector: `kubernetes.io/service-name=${name}` });
  return list.items;
}

const managedBy = (slice: V1EndpointSlice) => slice.metadata?.labels?.['endpointslice.kubernetes.io/managed-by'];

/** e.g. "4 slice events, fewest ready addresses served after any: 1 (ADDED mirrored, ADDED ours, ...)". */
function describeSamples(samples: readonly ServedSample[]): string {
  const fewest = Math.min(...samples.map((sample) => sample.served.length));
  const events = samples.map((sample) => `${sample.event} ${sample.managedBy === MIRRORING_CONTROLLER ? 'mirrored' : sample.managedBy}`);
  return `${samples.length} slice events, fewest ready addresses served after any: ${fewest} (${events.join(', ')})`;
}

/**
 * What a Service in the tenant's `default` namespace served during `migrate`, event by event: from
 * the moment the watch shows vCluster's mirrored slice until it shows that slice deleted.
 */
async function servedDuring(kubeConfig: KubeConfig, service: string, migrate: () => Promise<void>): Promise<readonly ServedSample[]> {
  const { served, stop } = await ServedAddresses.start(kubeConfig, 'default', service);
  try {
    await eventually(() => (served.checked.at(-1)?.served.length ? true : undefined));
    await migrate();
    await eventually(() => (served.checked.some((sample) => sample.event === 'DELETED' && sample.managedBy === MIRRORING_CONTROLLER) ? true : undefined));
  } finally {
    stop();
  }
  return served.checked;
}

/** Every sample served something, and the watch saw our slice arrive and the mirrored one go. */
function assertNeverEmpty(samples: readonly ServedSample[], address: string): void {
  const empty = samples.findIndex((sample) => sample.served.length === 0);
  assert.equal(empty, -1, `the name resolved to nothing after event ${empty}: ${JSON.stringify(samples.slice(0, empty + 1))}`);
  assert.ok(samples.every((sample) => sample.served.includes(address)), `${address} served throughout: ${JSON.stringify(samples)}`);
  const ours = samples.findIndex((sample) => sample.event === 'ADDED' && sample.managedBy === 'service-replicator');
  const mirroredGone = samples.findIndex((sample) => sample.event === 'DELETED' && sample.managedBy === MIRRORING_CONTROLLER);
  assert.ok(ours >= 0 && mirroredGone > ours, `our slice added before the mirrored one went: ${JSON.stringify(samples)}`);
}

serverSuite("migration from vCluster's replicateServices, and core/v1 Endpoints", () => {
  let receiver: OtlpReceiver;
  let fx: ReplicationFixture;
  let hostDb: V1Service;
  let vclusterA: { service: V1Service; endpoints: V1Endpoints };
  let vclusterHostWeb: V1Service;

  before(async () => {
    receiver = await OtlpReceiver.start();
    fx = await ReplicationFixture.start({
      prefix: 'e2e-migration',
      env: receiver.env,
      tenantOptions: { b: { adoptVClusterMirrors: true, endpoints: true, toHostMode: 'endpoints' } },
    });
    hostDb = await fx.hostCore.createNamespacedService({
      namespace: 'shared',
      body: { metadata: { name: 'db' }, spec: { ports: [{ name: 'pg', port: 5432, targetPort: 15432 }] } },
    });
    vclusterA = await vclusterTenantMirror(fx.tenant('a').core, hostDb.spec?.clusterIP ?? '');
    // toHost `shop/web -> web` as vCluster made it: selector translated, owned by the vCluster's own Service.
    const tenantA = fx.tenant('a');
    await tenantA.core.createNamespace({ body: { metadata: { name: 'shop' } } });
    const ports = [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }];
    await tenantA.core.createNamespacedService({ namespace: 'shop', body: { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports } } });
    const vclusterService = await fx.hostCore.createNamespacedService({ namespace: 'vc-a', body: { metadata: { name: 'a' }, spec: { ports: [{ port: 443 }] } } });
    vclusterHostWeb = await fx.hostCore.createNamespacedService({
      namespace: 'vc-a',
      body: {
        metadata: {
          name: 'web',
          labels: VCLUSTER,
          ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'a', uid: vclusterService.metadata?.uid ?? '', controller: false }],
        },
        spec: { selector: translateSelector({ app: 'web' }, 'a', 'shop'), ports },
      },
    });
  });
  after(async () => {
    await fx?.stop();
    await receiver?.stop();
  });

  it('without adoptVClusterMirrors, a vCluster mirror is a conflict whose message says how to migrate; nothing is touched', async () => {
    await fx.configure('a', { fromHost: [{ from: 'shared/db', to: 'default/db' }], toHost: [{ from: 'shop/web', to: 'web' }] });
    for (const key of ['a/fromHost/default/db', 'a/toHost/vc-a/web']) {
      const status = await eventually(async () => {
        const found = await fx.status(key);
        return found?.state === 'conflict' ? found : undefined;
      });
      assert.match(status.message, /exists and was made by vCluster's own replicateServices \(label vcluster\.loft\.sh\/controlled-by: vcluster\); left untouched\./);
      assert.match(status.message, /To migrate it, set adoptVClusterMirrors: true on tenant a in the tenants file: service-replicator then writes its EndpointSlices first, relabels the Service as its own and removes vCluster's Endpoints/);
    }
    const service = await fx.tenant('a').core.readNamespacedService({ namespace: 'default', name: 'db' });
    assert.equal(service.metadata?.resourceVersion, vclusterA.service.metadata?.resourceVersion);
    const endpoints = await fx.tenant('a').core.readNamespacedEndpoints({ namespace: 'default', name: 'db' });
    assert.equal(endpoints.metadata?.resourceVersion, vclusterA.endpoints.metadata?.resourceVersion);
    // The mirroring controller serves vCluster's Endpoints as a slice: what the migration must not interrupt.
    await eventually(async () => ((await slicesOf(fx, 'a', 'db')).some((slice) => managedBy(slice) === MIRRORING_CONTROLLER) ? true : undefined));
    // On the host, the endpoints controller keeps Endpoints for vCluster's selector mirror, its labels copied.
    await eventually(async () => {
      const found = await fx.hostCore.readNamespacedEndpoints({ namespace: 'vc-a', name: 'web' });
      return found.metadata?.labels?.['vcluster.loft.sh/controlled-by'] === 'vcluster' ? true : undefined;
    });
  });

  it('adoptVClusterMirrors: true takes the fromHost mirror over in place, and the name never resolves to nothing', async (t) => {
    const samples = await servedDuring(fx.tenant('a').cluster.kubeConfig, 'db', async () => {
      await fx.setTenantOptions('a', { adoptVClusterMirrors: true });
      await eventually(async () => ((await fx.status('a/fromHost/default/db'))?.state === 'in-sync' ? true : undefined), 60_000);
      await eventually(async () => ((await statusOf(fx.tenant('a').core.readNamespacedEndpoints({ namespace: 'default', name: 'db' }))) === 404 ? true : undefined));
    });
    assertNeverEmpty(samples, hostDb.spec?.clusterIP ?? '');
    t.diagnostic(describeSamples(samples));
    const service = await fx.tenant('a').core.readNamespacedService({ namespace: 'default', name: 'db' });
    assert.equal(service.metadata?.uid, vclusterA.service.metadata?.uid, 'the same Service, relabelled, not recreated');
    assert.equal(service.metadata?.labels?.[MANAGED_BY_LABEL], 'service-replicator');
    assert.equal(service.metadata?.labels?.['vcluster.loft.sh/controlled-by'], undefined);
    const slices = await slicesOf(fx, 'a', 'db');
    assert.deepEqual(slices.map((slice) => [managedBy(slice), slice.endpoints.map((e) => e.addresses[0])]), [['service-replicator', [hostDb.spec?.clusterIP]]]);
  });

  it("toHost: vCluster's host mirror is adopted in place; its selector kept, vCluster's owner reference dropped, the controller's Endpoints left to it", async () => {
    await eventually(async () => ((await fx.status('a/toHost/vc-a/web'))?.state === 'in-sync' ? true : undefined));
    const host = await fx.hostCore.readNamespacedService({ namespace: 'vc-a', name: 'web' });
    assert.equal(host.metadata?.uid, vclusterHostWeb.metadata?.uid);
    assert.deepEqual(host.spec?.selector, vclusterHostWeb.spec?.selector);
    assert.equal(host.metadata?.ownerReferences, undefined);
    assert.equal(host.metadata?.labels?.['replicator.service-replicator.io/tenant'], 'a');
    assert.equal(host.metadata?.labels?.['vcluster.loft.sh/controlled-by'], undefined);
    const endpoints = await fx.hostCore.readNamespacedEndpoints({ namespace: 'vc-a', name: 'web' });
    assert.equal(endpoints.metadata?.labels?.['endpoints.kubernetes.io/managed-by'], 'endpoint-controller');
    // Ours now: a change of the tenant Service reaches it.
    await fx.tenant('a').core.patchNamespacedService({ namespace: 'shop', name: 'web', body: [{ op: 'replace', path: '/spec/ports/0/port', value: 81 }] });
    await eventually(async () => ((await fx.hostCore.readNamespacedService({ namespace: 'vc-a', name: 'web' })).spec?.ports?.[0].port === 81 ? true : undefined));
  });

  it("endpoints: true rewrites vCluster's Endpoints as ours in place (skip-mirror), with no gap and no mirrored duplicate", async (t) => {
    const vclusterB = await vclusterTenantMirror(fx.tenant('b').core, hostDb.spec?.clusterIP ?? '');
    await eventually(async () => ((await slicesOf(fx, 'b', 'db')).length > 0 ? true : undefined));
    const samples = await servedDuring(fx.tenant('b').cluster.kubeConfig, 'db', async () => {
      await fx.configure('b', { fromHost: [{ from: 'shared/db', to: 'default/db' }] });
      await eventually(async () => ((await fx.status('b/fromHost/default/db'))?.state === 'in-sync' ? true : undefined), 60_000);
    });
    assertNeverEmpty(samples, hostDb.spec?.clusterIP ?? '');
    t.diagnostic(describeSamples(samples));
    const endpoints = await fx.tenant('b').core.readNamespacedEndpoints({ namespace: 'default', name: 'db' });
    assert.equal(endpoints.metadata?.uid, vclusterB.endpoints.metadata?.uid, 'the same Endpoints, rewritten');
    assert.deepEqual(
      [endpoints.metadata?.labels?.['endpointslice.kubernetes.io/skip-mirror'], endpoints.metadata?.labels?.['endpoints.kubernetes.io/managed-by']],
      ['true', 'service-replicator'],
    );
    assert.equal(endpoints.metadata?.labels?.['vcluster.loft.sh/controlled-by'], undefined);
    assert.deepEqual(endpoints.metadata?.ownerReferences?.map((owner) => owner.uid), [vclusterB.service.metadata?.uid]);
    assert.deepEqual(plain(endpoints.subsets), [{ addresses: [{ ip: hostDb.spec?.clusterIP }], ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] }]);
    assert.deepEqual((await slicesOf(fx, 'b', 'db')).map(managedBy), ['service-replicator']);
  });

  it('endpoints: true: a hand edit is reverted, and a source change updates them in a pass that reads nothing from an API server', async () => {
    const core = fx.tenant('b').core;
    await core.patchNamespacedEndpoints({ namespace: 'default', name: 'db', body: [{ op: 'replace', path: '/subsets/0/addresses/0/ip', value: '10.9.9.9' }] });
    await eventually(async () => ((await core.readNamespacedEndpoints({ namespace: 'default', name: 'db' })).subsets?.[0].addresses?.[0].ip === hostDb.spec?.clusterIP ? true : undefined));

    await fx.hostCore.patchNamespacedService({ namespace: 'shared', name: 'db', body: [{ op: 'replace', path: '/spec/ports/0/port', value: 6432 }] });
    await eventually(async () => ((await core.readNamespacedEndpoints({ namespace: 'default', name: 'db' })).subsets?.[0].ports?.[0].port === 6432 ? true : undefined));
    const pass = await eventually(() =>
      receiver.spans().find((span) => span.service === 'writer' && span.name === 'reconcile' && span.attributes['replicator.tenant'] === 'b' && span.attributes['replicator.action'] === 'update Service, update EndpointSlice, update Endpoints'),
    );
    const requests = await eventually(() => {
      const trace = receiver.trace(pass.traceId);
      const inPass = trace.filter((span) => span.kind === CLIENT_SPAN && isInside(span, pass, trace));
      return inPass.length >= 3 ? inPass.map((span) => String(span.attributes['http.request.method'] ?? span.attributes['http.method'])) : undefined;
    }, 10_000);
    assert.deepEqual(requests.sort(), ['PUT', 'PUT', 'PUT'], 'the Service, its EndpointSlice and its Endpoints were written, and nothing was read');
  });

  it('endpoints: true, toHost endpoints mode: host Endpoints hold the tenant endpoints; deleted with the mirror', async () => {
    const tenantB = fx.tenant('b');
    await tenantB.core.createNamespace({ body: { metadata: { name: 'shop' } } });
    await tenantB.core.createNamespacedService({ namespace: 'shop', body: { metadata: { name: 'api' }, spec: { ports: [{ name: 'http', port: 80 }] } } });
    await tenantB.discovery.createNamespacedEndpointSlice({
      namespace: 'shop',
      body: {
        metadata: { name: 'api-pods', labels: { 'kubernetes.io/service-name': 'api' } },
        addressType: 'IPv4',
        endpoints: [{ addresses: ['10.244.7.7'], conditions: { ready: true } }, { addresses: ['10.244.7.8'], conditions: { ready: false } }],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    });
    // Only addresses of tenant b's own pods (as vCluster syncs them to the host) are copied into the host.
    for (const [name, ip] of [['api-0', '10.244.7.7'], ['api-1', '10.244.7.8']]) await startSyncedPod(fx, 'b', name, { app: 'api' }, ip);
    await fx.configure('b', { fromHost: [{ from: 'shared/db', to: 'default/db' }], toHost: [{ from: 'shop/api', to: 'api' }] });
    const endpoints = await eventually(async () => {
      const found = await fx.hostCore.readNamespacedEndpoints({ namespace: 'vc-b', name: 'api' }).catch(() => undefined);
      return found?.subsets?.length ? found : undefined;
    });
    assert.deepEqual(plain(endpoints.subsets), [{ addresses: [{ ip: '10.244.7.7' }], notReadyAddresses: [{ ip: '10.244.7.8' }], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }]);
    const hostSlices = await fx.hostDiscovery.listNamespacedEndpointSlice({ namespace: 'vc-b', labelSelector: 'kubernetes.io/service-name=api' });
    assert.deepEqual(hostSlices.items.map(managedBy), ['service-replicator'], 'our slice only: skip-mirror kept the mirroring controller out');

    await tenantB.core.deleteNamespacedService({ namespace: 'shop', name: 'api' });
    await eventually(async () => ((await statusOf(fx.hostCore.readNamespacedEndpoints({ namespace: 'vc-b', name: 'api' }))) === 404 ? true : undefined));
    assert.equal(await statusOf(fx.hostCore.readNamespacedService({ namespace: 'vc-b', name: 'api' })), 404);
  });
});

/** The typed client's objects as the plain data they hold. */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

function isInside(span: ReceivedSpan, ancestor: ReceivedSpan, trace: readonly ReceivedSpan[]): boolean {
  const byId = new Map(trace.map((s) => [s.spanId, s]));
  for (let parent = span.parentSpanId && byId.get(span.parentSpanId); parent; parent = parent.parentSpanId && byId.get(parent.parentSpanId)) {
    if (parent.spanId === ancestor.spanId) return true;
  }
  return false;
}
