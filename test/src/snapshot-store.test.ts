import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import { startRedis, type RedisServer } from '@service-replicator/control-plane-harness';
import { SnapshotStore, tenantCluster } from '@service-replicator/replication-queue';
import { serverSuite } from './support/server-suite';

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
});
