import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { mappingKeyOf, type Mapping, type TenantSpec } from '@service-replicator/replication-config';
import { revokeRoles } from '@service-replicator/control-plane-harness';
import { MAPPINGS_CHANGED, ReplicatorRedis } from '@service-replicator/replication-queue';
import { ReplicationFixture, statusOf } from './support/replication-fixture';
import { startSyncedPod } from './support/synced-pods';
import { metricValue, scrape } from './support/prometheus-text';
import { serverSuite } from './support/server-suite';
import { eventually } from './support/wait';

const ref = (text: string) => {
  const [namespace, name] = text.split('/');
  return { namespace, name };
};

/**
 * Tenant a tries to reach what only tenant b (or the platform) was granted: by config, and with
 * config-watcher's validation bypassed (a doctored tenant spec and mappings published straight into
 * Redis, as a bug in our own checks would). The second line of defence is the API server: every host
 * read and write for tenant a is made as tenant a's own ServiceAccount, whose Roles exist only in the
 * namespaces granted to it.
 */
serverSuite('tenant isolation: a tenant reaches only what it was granted', () => {
  let fx: ReplicationFixture;
  let redis: ReplicatorRedis;

  before(async () => {
    fx = await ReplicationFixture.start({ prefix: 'e2e-isolation', allowedHostNamespaces: ['shared'], fromHostNamespaces: ['shared'] });
    redis = new ReplicatorRedis(fx.redisServer.url, fx.prefix, 'test');
    await fx.hostCore.createNamespacedService({
      namespace: 'vc-b',
      body: { metadata: { name: 'b-private' }, spec: { ports: [{ port: 5432 }] } },
    });
    await fx.tenant('a').core.createNamespacedService({
      namespace: 'default',
      body: { metadata: { name: 'web' }, spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] } },
    });
  });
  after(async () => {
    await redis?.close();
    await fx?.stop();
  });

  it("refuses by config a fromHost source in tenant b's host namespace or the API server's, with the path", async () => {
    const versionBefore = await eventually(() => fx.publishedVersion('a'));
    await fx.configure('a', { fromHost: [{ from: 'vc-b/b-private', to: 'default/stolen' }, { from: 'default/kubernetes', to: 'default/apiserver' }] });
    const check = await eventually(async () => ((await fx.configCheck('a'))?.valid === false ? fx.configCheck('a') : undefined));
    assert.deepEqual(
      check?.issues.map((issue) => [issue.path, issue.message]),
      [
        ['networking.replicateServices.fromHost[0].from', 'namespace "vc-b" is not granted to tenant "a"; granted: vc-a, shared (fromHostNamespaces in the tenants file)'],
        ['networking.replicateServices.fromHost[1].from', 'namespace "default" is not granted to tenant "a"; granted: vc-a, shared (fromHostNamespaces in the tenants file)'],
      ],
    );
    assert.equal(await fx.publishedVersion('a'), versionBefore);
    for (const name of ['stolen', 'apiserver']) assert.equal(await statusOf(fx.tenant('a').core.readNamespacedService({ namespace: 'default', name })), 404);
  });

  it('with validation bypassed, the API server refuses the reads (403): nothing is mirrored, the status says forbidden', async () => {
    const stolen: Mapping[] = [
      { tenant: 'a', direction: 'fromHost', source: ref('vc-b/b-private'), target: ref('default/stolen') },
      { tenant: 'a', direction: 'fromHost', source: ref('default/kubernetes'), target: ref('default/apiserver') },
    ];
    await publishBypassingValidation(fx, redis, stolen, { fromHostNamespaces: ['shared', 'vc-b', 'default'] });
    for (const mapping of stolen) {
      const status = await eventually(async () => {
        const found = await fx.status(mappingKeyOf(mapping));
        return found?.state === 'error' ? found : undefined;
      }, 60_000);
      assert.match(status.message, new RegExp(`^forbidden: tenant "a" may not read host namespace "${mapping.source.namespace}"`));
      assert.match(status.message, /system:serviceaccount:service-replicator:tenant-a.*cannot get resource "services"/);
      assert.equal(await statusOf(fx.tenant('a').core.readNamespacedService(mapping.target)), 404, `${mapping.target.name} must not exist`);
    }
  });

  it("with validation bypassed, the API server refuses a toHost write into tenant b's host namespace (403)", async () => {
    const intoB: Mapping = { tenant: 'a', direction: 'toHost', source: ref('default/web'), target: ref('vc-b/hijack') };
    await publishBypassingValidation(fx, redis, [intoB], { allowedHostNamespaces: ['shared', 'vc-b'] });
    const status = await eventually(async () => {
      const found = await fx.status(mappingKeyOf(intoB));
      return found?.state === 'error' ? found : undefined;
    }, 60_000);
    assert.match(status.message, /services is forbidden: User "system:serviceaccount:service-replicator:tenant-a" cannot create resource "services".*"vc-b"/);
    assert.equal(await statusOf(fx.hostCore.readNamespacedService({ namespace: 'vc-b', name: 'hijack' })), 404);
  });

  it("copies into a host Service only the addresses of tenant a's own pods: the rest is dropped and reported", async () => {
    await startSyncedPod(fx, 'a', 'web-0', { app: 'web' }, '10.244.1.7');
    await startSyncedPod(fx, 'b', 'b-db-0', { app: 'db' }, '10.244.2.9');
    // Tenant a lists its own pod, the host API server (the kubernetes Service's IP) and tenant b's pod.
    await fx.tenant('a').discovery.createNamespacedEndpointSlice({
      namespace: 'default',
      body: {
        metadata: { name: 'web-manual', labels: { 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'tenant' } },
        addressType: 'IPv4',
        endpoints: ['10.244.1.7', '10.0.0.1', '10.244.2.9'].map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    });
    await fx.configure('a', { toHost: [{ from: 'default/web', to: 'shared/web-a' }] });
    const hostAddresses = () => hostSliceAddresses(fx, 'shared', 'web-a');
    assert.deepEqual(await eventually(async () => ((await hostAddresses()).length > 0 ? hostAddresses() : undefined), 60_000), ['10.244.1.7']);
    const status = await eventually(async () => {
      const found = await fx.status('a/toHost/shared/web-a');
      return found?.message.includes('left out') ? found : undefined;
    });
    assert.match(status.message, /2 endpoint address\(es\) of tenant Service default\/web are not pods of tenant "a" in the host and were left out: 10\.0\.0\.1, 10\.244\.2\.9/);
    const events = await eventually(async () => {
      const list = await fx.hostCore.listNamespacedEvent({ namespace: 'shared', fieldSelector: 'reason=ForeignEndpointsDropped' });
      return list.items.length > 0 ? list.items : undefined;
    });
    assert.equal(events[0].involvedObject.name, 'web-a');
    assert.equal(events[0].type, 'Warning');
    const metrics = await scrape(await fx.replicator.httpAddress('writer'));
    assert.ok((metricValue(metrics, 'replicator_dropped_endpoints_total', { direction: 'toHost' }) ?? 0) >= 2);
  });

  it("follows tenant a's pods: a pod it starts later is copied once vCluster has synced it", async () => {
    await fx.tenant('a').discovery.patchNamespacedEndpointSlice({
      namespace: 'default',
      name: 'web-manual',
      body: [{ op: 'add', path: '/endpoints/-', value: { addresses: ['10.244.1.8'], conditions: { ready: true } } }],
    });
    // Not yet a pod of tenant a: left out.
    await eventually(async () => ((await fx.status('a/toHost/shared/web-a'))?.message.includes('10.244.1.8') ? true : undefined));
    assert.deepEqual(await hostSliceAddresses(fx, 'shared', 'web-a'), ['10.244.1.7']);
    await startSyncedPod(fx, 'a', 'web-1', { app: 'web' }, '10.244.1.8');
    await eventually(async () => ((await hostSliceAddresses(fx, 'shared', 'web-a')).join() === '10.244.1.7,10.244.1.8' ? true : undefined), 60_000);
  });

  it('refuses to turn an ExternalName tenant Service into a host one unless the tenant is allowed to', async () => {
    await fx.tenant('a').core.createNamespacedService({
      namespace: 'default',
      body: { metadata: { name: 'ext' }, spec: { type: 'ExternalName', externalName: 'kubernetes.default.svc.cluster.local' } },
    });
    await fx.configure('a', { toHost: [{ from: 'default/web', to: 'shared/web-a' }, { from: 'default/ext', to: 'ext-a' }] });
    const status = await eventually(async () => {
      const found = await fx.status('a/toHost/vc-a/ext-a');
      return found?.state === 'error' ? found : undefined;
    });
    assert.match(status.message, /tenant Service default\/ext is an ExternalName Service, and tenant "a" may not create ExternalName Services in the host/);
    assert.equal(await statusOf(fx.hostCore.readNamespacedService({ namespace: 'vc-a', name: 'ext-a' })), 404);
  });

  it('removes a mirror once the grant of its source namespace is taken back (the API server refuses the read)', async () => {
    await fx.hostCore.createNamespacedService({ namespace: 'shared', body: { metadata: { name: 'db' }, spec: { ports: [{ port: 5432 }] } } });
    await fx.configure('a', { fromHost: [{ from: 'shared/db', to: 'default/db' }] });
    await eventually(() => fx.tenant('a').core.readNamespacedService({ namespace: 'default', name: 'db' }));
    await revokeRoles(fx.host.kubeConfig, { name: 'tenant-a' }, ['shared']);
    // A writer keeps a granted answer for 5 minutes; a new one asks the API server again.
    await fx.replicator.kill('writer');
    await fx.replicator.startApp('writer');
    await redis.queue.enqueue(['a/fromHost/default/db'], 'test: grant revoked');
    const status = await eventually(async () => {
      const found = await fx.status('a/fromHost/default/db');
      return found?.state === 'error' ? found : undefined;
    });
    assert.match(status.message, /forbidden: tenant "a" may not read host namespace "shared"; nothing is replicated from it/);
    assert.equal(await statusOf(fx.tenant('a').core.readNamespacedService({ namespace: 'default', name: 'db' })), 404);
    assert.match(await fx.replicator.log('writer'), /"state":"error","wrote":"delete tenant a Service default\/db; /);
  });
});

/**
 * What a bug in config-watcher's validation would do: publish, for tenant a, mappings it was never
 * granted, with a tenant spec that claims the grants, and enqueue their keys.
 */
async function publishBypassingValidation(fx: ReplicationFixture, redis: ReplicatorRedis, mappings: Mapping[], claims: Partial<TenantSpec>): Promise<void> {
  const current = await redis.mappings.get('a');
  assert.ok(current, "tenant a's spec is published");
  const { version } = await redis.mappings.publish({ ...current.tenant, ...claims }, [...current.mappings, ...mappings]);
  await redis.queue.enqueue(mappings.map(mappingKeyOf), 'test: validation bypassed');
  // Nudges the watchers as config-watcher would (they would also find it on their periodic reload).
  await fx.redis.publish(MAPPINGS_CHANGED, JSON.stringify({ pattern: MAPPINGS_CHANGED, data: { tenant: 'a', version } }));
}

async function hostSliceAddresses(fx: ReplicationFixture, namespace: string, service: string): Promise<string[]> {
  const slices = await fx.hostDiscovery.listNamespacedEndpointSlice({ namespace, labelSelector: `kubernetes.io/service-name=${service}` });
  return slices.items.flatMap((slice) => (slice.endpoints ?? []).flatMap((endpoint) => endpoint.addresses)).sort();
}
