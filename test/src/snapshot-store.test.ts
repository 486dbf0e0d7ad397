import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import { startRedis, type RedisServer } from '@service-replicator/control-plane-harness';
import { FencedError, LeaseStore } from '@service-replicator/leases';
import { MappingStore, SnapshotStore, tenantCluster } from '@service-replicator/replication-queue';
import { serverSuite } from './support/server-suite';
import { eventually } from './support/wait';

const REF = { namespace: 'default', name: 'web' };
const CLUSTER = tenantCluster('a');

function service(resourceVersion: string, uid = 'uid-1', port = 80): V1Service {
  return {
    metadata: { ...REF, uid, resourceVersion, managedFields: [{ manager: 'x' }], creationTimestamp: new Date() },
    spec: { ports: [{ port }] },
    status: { loadBalancer: {} },
  };
}

function slice(name: string, resourceVersion: string, uid = `uid-${name}`): V1EndpointSlice {
  return { metadata: { name, namespace: REF.namespace, uid, resourceVersion }, addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'] }] };
}

/** The snapshot scripts against a real redis-server: what a writer's pass will read. */
serverSuite('SnapshotStore (real Redis)', () => {
  let server: RedisServer;
  let redis: Redis;
  let store: SnapshotStore;
  let prefix = 0;

  before(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
  });
  after(async () => {
    redis?.disconnect();
    await server?.stop();
  });
  const fresh = () => (store = new SnapshotStore(redis, `snap-${++prefix}`));

  it('keeps the newest resourceVersion, comparing them as numbers, and says when a write changed nothing', async () => {
    fresh();
    assert.equal(await store.putService(CLUSTER, service('99')), true);
    assert.equal(await store.putService(CLUSTER, service('100', 'uid-1', 81)), true, '100 is newer than 99 although shorter as text would sort first');
    assert.equal(await store.putService(CLUSTER, service('100', 'uid-1', 81)), false, 'the same version again: an echo');
    assert.equal(await store.putService(CLUSTER, service('98', 'uid-1', 79)), false, 'an older version arriving late');
    const { service: stored } = await store.read(CLUSTER, REF);
    assert.equal(stored?.metadata?.resourceVersion, '100');
    assert.equal(stored?.spec?.ports?.[0].port, 81);
    assert.equal(stored?.status, undefined, 'status is the server\'s');
    assert.equal(stored?.metadata?.managedFields, undefined);
    assert.equal(stored?.metadata?.creationTimestamp, undefined);
  });

  it('forgets an object only for the uid that was deleted', async () => {
    fresh();
    await store.putService(CLUSTER, service('10', 'uid-new'));
    assert.equal(await store.deleteService(CLUSTER, REF, 'uid-old'), false, 'the delete of an earlier object of that name');
    assert.notEqual((await store.read(CLUSTER, REF)).service, undefined);
    assert.equal(await store.deleteService(CLUSTER, REF, 'uid-new'), true);
    assert.equal((await store.read(CLUSTER, REF)).service, undefined);
    assert.equal(await store.deleteService(CLUSTER, REF, 'uid-new'), false, 'the echo of a delete already recorded');
  });

  it('replaces a snapshot with a fresh list, keeping what was stored after the list was taken', async () => {
    fresh();
    await store.putService(CLUSTER, service('10'));
    await store.putSlice(CLUSTER, REF, slice('gone', '11'));
    await store.putSlice(CLUSTER, REF, slice('newer', '30'));
    // A list at resourceVersion 20 holds the Service (changed) and one new slice; "gone" was deleted meanwhile.
    const changed = await store.replace(CLUSTER, REF, { service: service('15', 'uid-1', 90), slices: [slice('kept', '12')] }, '20');
    assert.equal(changed, true);
    const view = await store.read(CLUSTER, REF);
    assert.equal(view.service?.spec?.ports?.[0].port, 90);
    assert.deepEqual(view.slices.map((s) => s.metadata?.name), ['kept', 'newer']);
    assert.equal(await store.replace(CLUSTER, REF, { service: service('15', 'uid-1', 90), slices: [slice('kept', '12'), slice('newer', '30')] }, '30'), false, 'nothing new: no change');
  });

  it('tells a namespace a watcher vouches for from one it cannot list, and from one nobody listed', async () => {
    fresh();
    assert.equal((await store.read(CLUSTER, REF)).synced, false);
    await store.markSynced(CLUSTER, ['default'], 'test');
    assert.equal((await store.read(CLUSTER, REF)).synced, true);
    await store.markFailed(CLUSTER, 'default', 'forbidden');
    assert.deepEqual(await store.read(CLUSTER, REF), { service: undefined, slices: [], synced: false, endpointsWatched: false, watchError: 'forbidden' });
    assert.deepEqual([...(await store.syncedNamespaces(CLUSTER))], []);
    await store.markSynced(CLUSTER, ['default'], 'test');
    await store.unmarkSynced(CLUSTER, ['default']);
    assert.equal((await store.read(CLUSTER, REF)).synced, false);
  });

  it('a store fenced by a lease writes while the lease holds, and refuses every kind of write once another replica took it', async () => {
    fresh();
    const leases = new LeaseStore(redis, `snap-${prefix}`);
    const lease = await leases.acquire('tenant-watcher:a', 'replica-1', 200);
    assert.ok(lease);
    const fenced = store.fenced(leases.fenceOf(lease));
    assert.equal(await fenced.putService(CLUSTER, service('10')), true);
    await fenced.markSynced(CLUSTER, ['default'], 'replica-1');
    // replica-1 stalls past its lease; replica-2 takes the tenant over.
    const successor = await eventually(() => leases.acquire('tenant-watcher:a', 'replica-2', 10_000), 5_000, 50);
    const late = [
      fenced.putService(CLUSTER, service('11', 'uid-1', 99)),
      fenced.putSlice(CLUSTER, REF, slice('s', '12')),
      fenced.deleteService(CLUSTER, REF, 'uid-1'),
      fenced.replace(CLUSTER, REF, { slices: [] }, '13'),
      fenced.markSynced(CLUSTER, ['other'], 'replica-1'),
      fenced.unmarkSynced(CLUSTER, ['default']),
      fenced.drop(CLUSTER, [REF]),
    ];
    for (const write of late) await assert.rejects(write, FencedError);
    const view = await store.read(CLUSTER, REF);
    assert.equal(view.service?.spec?.ports?.[0].port, 80, 'the late writes changed nothing');
    assert.equal(view.synced, true);
    assert.equal(await store.fenced(leases.fenceOf(successor)).putService(CLUSTER, service('11', 'uid-1', 99)), true, 'the successor writes');
  });

  it('a publication fenced by a lost leadership lease publishes nothing', async () => {
    const leases = new LeaseStore(redis, `pub-${++prefix}`);
    const mappings = new MappingStore(redis, `pub-${prefix}`);
    const tenant = { name: 'a', hostNamespace: 'vc-a', kubeconfig: { file: 'k' }, allowedHostNamespaces: [], config: { file: 'c' }, toHostMode: 'selector' as const };
    const lease = await leases.acquire('config-watcher', 'leader-1', 10_000);
    assert.ok(lease);
    const published = await mappings.publish(tenant, [], {}, leases.fenceOf(lease));
    assert.equal((await mappings.get('a'))?.version, published.version);
    await leases.release(lease);
    await leases.acquire('config-watcher', 'leader-2', 10_000);
    await assert.rejects(mappings.publish(tenant, [], {}, leases.fenceOf(lease)), FencedError);
    assert.equal((await mappings.get('a'))?.version, published.version, 'the deposed leader published nothing');
  });

  it('keeps the keys whose passes wait for a namespace until its watcher takes them, once', async () => {
    fresh();
    await store.awaitSync(CLUSTER, 'team', 'a/fromHost/team/db');
    await store.awaitSync(CLUSTER, 'team', 'a/fromHost/team/db');
    await store.awaitSync(CLUSTER, 'team', 'a/fromHost/team/cache');
    await store.awaitSync(CLUSTER, 'other', 'a/fromHost/other/x');
    assert.deepEqual((await store.takeWaiting(CLUSTER, 'team')).sort(), ['a/fromHost/team/cache', 'a/fromHost/team/db']);
    assert.deepEqual(await store.takeWaiting(CLUSTER, 'team'), []);
    assert.deepEqual(await store.takeWaiting(CLUSTER, 'other'), ['a/fromHost/other/x']);
  });
});
