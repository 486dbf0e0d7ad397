import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import { MANAGED_BY_LABEL } from '@service-replicator/service-translation';
import { ReplicationFixture, statusOf } from './support/replication-fixture';
import { serverSuite } from './support/server-suite';
import { eventually } from './support/wait';

/** The tenant's EndpointSlices for a Service, as kube-proxy and CoreDNS would find them. */
async function tenantSlices(fx: ReplicationFixture, tenant: 'a' | 'b', namespace: string, name: string): Promise<V1EndpointSlice[]> {
  const list = await fx.tenant(tenant).discovery.listNamespacedEndpointSlice({ namespace, labelSelector: `kubernetes.io/service-name=${name}` });
  return list.items;
}

serverSuite('fromHost: host Service mirrored into tenant clusters', () => {
  let fx: ReplicationFixture;
  let hostDb: V1Service;

  before(async () => {
    fx = await ReplicationFixture.start({ prefix: 'e2e-from-host' });
    hostDb = await fx.hostCore.createNamespacedService({
      namespace: 'shared',
      body: { metadata: { name: 'db' }, spec: { selector: { app: 'db' }, ports: [{ name: 'pg', port: 5432, targetPort: 15432 }] } },
    });
    await fx.hostCore.createNamespacedService({
      namespace: 'shared',
      body: { metadata: { name: 'cache' }, spec: { clusterIP: 'None', ports: [{ name: 'redis', port: 6379 }] } },
    });
    await fx.hostCore.createNamespacedService({
      namespace: 'shared',
      body: { metadata: { name: 'search' }, spec: { type: 'ExternalName', externalName: 'search.example.com' } },
    });
    await fx.configure('a', {
      fromHost: [
        { from: 'shared/db', to: 'default/db' },
        { from: 'shared/cache', to: 'default/cache' },
        { from: 'shared/search', to: 'default/search' },
      ],
    });
    await fx.configure('b', { fromHost: [{ from: 'shared/db', to: 'data/postgres' }] });
  });
  after(async () => fx?.stop());

  it('creates a headless tenant Service and an EndpointSlice pointing at the host ClusterIP', async () => {
    const svc = await eventually(() => fx.tenant('a').core.readNamespacedService({ namespace: 'default', name: 'db' }));
    assert.equal(svc.spec?.clusterIP, 'None');
    assert.equal(svc.spec?.selector, undefined);
    assert.deepEqual(svc.spec?.ports?.map((p) => [p.name, p.port, p.protocol]), [['pg', 5432, 'TCP']]);
    assert.equal(svc.metadata?.labels?.[MANAGED_BY_LABEL], 'service-replicator');
    // vCluster's syncer skips a virtual object another controller claims: the mirror is not copied back to the host.
    assert.equal(svc.metadata?.annotations?.['vcluster.loft.sh/controlled-by'], 'service-replicator');
    const [slice] = await eventually(async () => ((await tenantSlices(fx, 'a', 'default', 'db')).length > 0 ? tenantSlices(fx, 'a', 'default', 'db') : undefined));
    assert.equal(slice.addressType, 'IPv4');
    assert.deepEqual(slice.endpoints.map((e) => e.addresses), [[hostDb.spec?.clusterIP]]);
    assert.deepEqual(slice.ports?.map((p) => p.port), [5432]);
  });

  it('mirrors an ExternalName host Service as an ExternalName tenant Service', async () => {
    const svc = await eventually(() => fx.tenant('a').core.readNamespacedService({ namespace: 'default', name: 'search' }));
    assert.equal(svc.spec?.type, 'ExternalName');
    assert.equal(svc.spec?.externalName, 'search.example.com');
    assert.deepEqual(await tenantSlices(fx, 'a', 'default', 'search'), []);
  });

  it('serves two tenants at once (config from a host ConfigMap), creating a missing tenant namespace', async () => {
    const svc = await eventually(() => fx.tenant('b').core.readNamespacedService({ namespace: 'data', name: 'postgres' }));
    assert.equal(svc.spec?.clusterIP, 'None');
    const ns = await fx.tenant('b').core.readNamespace({ name: 'data' });
    assert.equal(ns.status?.phase, 'Active');
  });

  it('propagates a host port change', async () => {
    await fx.hostCore.patchNamespacedService(
      { namespace: 'shared', name: 'db', body: [{ op: 'replace', path: '/spec/ports/0/port', value: 6432 }] },
    );
    await eventually(async () => {
      const svc = await fx.tenant('a').core.readNamespacedService({ namespace: 'default', name: 'db' });
      const [slice] = await tenantSlices(fx, 'a', 'default', 'db');
      return svc.spec?.ports?.[0].port === 6432 && slice?.ports?.[0].port === 6432 ? true : undefined;
    });
  });

  it("follows a headless host Service's endpoints, readiness included", async () => {
    const hostSlice = await fx.hostDiscovery.createNamespacedEndpointSlice({
      namespace: 'shared',
      body: {
        metadata: { name: 'cache-pods', labels: { 'kubernetes.io/service-name': 'cache' } },
        addressType: 'IPv4',
        endpoints: [{ addresses: ['10.244.2.1'], conditions: { ready: true } }],
        ports: [{ name: 'redis', port: 6379, protocol: 'TCP' }],
      },
    });
    const endpointsOf = async () => (await tenantSlices(fx, 'a', 'default', 'cache')).flatMap((s) => s.endpoints ?? []);
    await eventually(async () => ((await endpointsOf()).length === 1 ? true : undefined));

    await fx.hostDiscovery.replaceNamespacedEndpointSlice({
      namespace: 'shared',
      name: 'cache-pods',
      body: {
        ...hostSlice,
        endpoints: [
          { addresses: ['10.244.2.1'], conditions: { ready: false } },
          { addresses: ['10.244.2.2'], conditions: { ready: true } },
        ],
      },
    });
    const endpoints = await eventually(async () => {
      const found = await endpointsOf();
      return found.length === 2 ? found : undefined;
    });
    assert.deepEqual(
      endpoints.map((e) => [e.addresses[0], e.conditions?.ready]),
      [['10.244.2.1', false], ['10.244.2.2', true]],
    );
  });

  it('deletes the tenant Service when the fromHost entry is removed (config edited live)', async () => {
    await fx.configure('b', { fromHost: [] });
    // The Service goes first, its EndpointSlices in the passes right after.
    await eventually(async () =>
      (await statusOf(fx.tenant('b').core.readNamespacedService({ namespace: 'data', name: 'postgres' }))) === 404 &&
      (await tenantSlices(fx, 'b', 'data', 'postgres')).length === 0
        ? true
        : undefined,
    );
    // tenant a's mirror of the same host Service is untouched
    assert.equal(await statusOf(fx.tenant('a').core.readNamespacedService({ namespace: 'default', name: 'db' })), 200);
  });

  it('deletes the tenant Service when the host source is deleted', async () => {
    await fx.hostCore.deleteNamespacedService({ namespace: 'shared', name: 'db' });
    await eventually(async () =>
      (await statusOf(fx.tenant('a').core.readNamespacedService({ namespace: 'default', name: 'db' }))) === 404 &&
      (await tenantSlices(fx, 'a', 'default', 'db')).length === 0
        ? true
        : undefined,
    );
  });
});
