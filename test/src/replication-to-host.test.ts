import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ReplicationFixture, statusOf } from './support/replication-fixture';
import { serverSuite } from './support/server-suite';
import { startSyncedPod } from './support/synced-pods';
import { eventually } from './support/wait';

serverSuite('toHost: tenant Service mirrored into the host cluster', () => {
  let fx: ReplicationFixture;

  before(async () => {
    fx = await ReplicationFixture.start({ prefix: 'e2e-to-host', allowedHostNamespaces: ['shared'] });
    const core = fx.tenant('a').core;
    for (const name of ['web', 'api']) {
      await core.createNamespacedService({
        namespace: 'default',
        body: { metadata: { name }, spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } },
      });
    }
    await fx.configure('a', {
      toHost: [
        { from: 'default/web', to: 'web-a' },
        { from: 'api', to: 'api-a' },
      ],
    });
  });
  after(async () => fx?.stop());

  it('creates a host Service in the tenant host namespace that selects the tenant pods as synced to the host', async () => {
    const svc = await eventually(() => fx.hostCore.readNamespacedService({ namespace: 'vc-a', name: 'web-a' }));
    assert.deepEqual(svc.spec?.ports?.map((p) => [p.port, p.targetPort]), [[80, 8080]]);
    assert.deepEqual(svc.spec?.selector, { app: 'web', 'vcluster.loft.sh/managed-by': 'a', 'vcluster.loft.sh/namespace': 'default' });

    await startSyncedPod(fx, 'a', 'web-0', { app: 'web' }, '10.244.1.7');
    await startSyncedPod(fx, 'a', 'other-0', { app: 'other' }, '10.244.1.8');
    // The host's own EndpointSlice controller now routes the host Service to the selected pod only.
    const addresses = await eventually(async () => {
      const slices = await fx.hostDiscovery.listNamespacedEndpointSlice({ namespace: 'vc-a', labelSelector: 'kubernetes.io/service-name=web-a' });
      const ips = slices.items.flatMap((s) => s.endpoints.flatMap((e) => e.addresses));
      return ips.length > 0 ? ips : undefined;
    });
    assert.deepEqual(addresses, ['10.244.1.7']);
    // Those slices are the controller's, not ours, even though they carry the Service's labels:
    // the writer leaves them alone and reports the mirror in sync.
    await eventually(async () => ((await fx.status('a/toHost/vc-a/web-a'))?.state === 'in-sync' ? true : undefined));
    const slices = await fx.hostDiscovery.listNamespacedEndpointSlice({ namespace: 'vc-a', labelSelector: 'kubernetes.io/service-name=web-a' });
    assert.deepEqual(slices.items.map((s) => s.metadata?.labels?.['endpointslice.kubernetes.io/managed-by']), ['endpointslice-controller.k8s.io']);
    assert.equal(await fx.replicator.log('writer').then((log) => log.includes('delete host EndpointSlice vc-a/')), false);
  });

  it('deletes the host Service when the tenant source is deleted', async () => {
    await eventually(() => fx.hostCore.readNamespacedService({ namespace: 'vc-a', name: 'api-a' }));
    await fx.tenant('a').core.deleteNamespacedService({ namespace: 'default', name: 'api' });
    await eventually(async () => ((await statusOf(fx.hostCore.readNamespacedService({ namespace: 'vc-a', name: 'api-a' }))) === 404 ? true : undefined));
  });

  it('writes into an allowed host namespace, with endpoints mirrored from the tenant', async () => {
    await fx.tenant('a').discovery.createNamespacedEndpointSlice({
      namespace: 'default',
      body: {
        metadata: { name: 'web-manual', labels: { 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'test' } },
        addressType: 'IPv4',
        endpoints: [{ addresses: ['10.244.1.7'], conditions: { ready: true } }],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    });
    await fx.configure('a', { toHost: [{ from: 'default/web', to: 'web-a' }, { from: 'default/web', to: 'shared/web-a' }] });
    const svc = await eventually(() => fx.hostCore.readNamespacedService({ namespace: 'shared', name: 'web-a' }));
    assert.equal(svc.spec?.selector, undefined);
    const ips = await eventually(async () => {
      const slices = await fx.hostDiscovery.listNamespacedEndpointSlice({ namespace: 'shared', labelSelector: 'kubernetes.io/service-name=web-a' });
      const found = slices.items.flatMap((s) => s.endpoints.flatMap((e) => e.addresses));
      return found.length > 0 ? found : undefined;
    });
    assert.deepEqual(ips, ['10.244.1.7']);
  });

  it('keeps the host Service when the toHost entry is removed', async () => {
    await fx.configure('a', { toHost: [{ from: 'default/web', to: 'shared/web-a' }] });
    const status = await eventually(async () => {
      const s = await fx.status('a/toHost/vc-a/web-a');
      return s?.state === 'kept' ? s : undefined;
    });
    assert.match(status.message, /kept by design/);
    assert.equal(await statusOf(fx.hostCore.readNamespacedService({ namespace: 'vc-a', name: 'web-a' })), 200);
  });

  it('reverts a manual edit of the host Service', async () => {
    await fx.hostCore.patchNamespacedService({
      namespace: 'shared',
      name: 'web-a',
      body: [{ op: 'replace', path: '/spec/ports/0/port', value: 9999 }],
    });
    await eventually(async () => {
      const svc = await fx.hostCore.readNamespacedService({ namespace: 'shared', name: 'web-a' });
      return svc.spec?.ports?.[0].port === 80 ? true : undefined;
    });
  });
});
