import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import { tenantCluster, type SnapshotStore } from '../snapshot-store';

/** What SnapshotStore and InMemorySnapshotStore both offer, as the contract checks it. */
export type SnapshotStoreContract = Pick<
  SnapshotStore,
  'putService' | 'putSlice' | 'deleteService' | 'replace' | 'markSynced' | 'markFailed' | 'unmarkSynced' | 'syncedNamespaces' | 'read' | 'awaitSync' | 'takeWaiting'
>;

/** The Service the contract's objects belong to, and the cluster they are in. */
export const REF = { namespace: 'default', name: 'web' };
export const CLUSTER = tenantCluster('a');

/** The Service as an informer delivers it (with the fields a snapshot leaves out). */
export function service(resourceVersion: string, uid = 'uid-1', port = 80): V1Service {
  return {
    metadata: { ...REF, uid, resourceVersion, managedFields: [{ manager: 'x' }], creationTimestamp: new Date() },
    spec: { ports: [{ port }] },
    status: { loadBalancer: {} },
  };
}

export function slice(name: string, resourceVersion: string, uid = `uid-${name}`): V1EndpointSlice {
  return { metadata: { name, namespace: REF.namespace, uid, resourceVersion }, addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'] }] };
}

/**
 * SnapshotStore's semantics as tests, run against the Redis store (server test) and the in-memory
 * one (unit test), so the fake that unit tests rely on behaves as the real store does.
 * `fresh` gives an empty store for each test.
 */
export function snapshotStoreContract(fresh: () => SnapshotStoreContract): void {
  it('keeps the newest resourceVersion, comparing them as numbers, and says when a write changed nothing', async () => {
    const store = fresh();
    assert.equal(await store.putService(CLUSTER, service('99')), true);
    assert.equal(await store.putService(CLUSTER, service('100', 'uid-1', 81)), true, '100 is newer than 99 although shorter as text would sort first');
    assert.equal(await store.putService(CLUSTER, service('100', 'uid-1', 81)), false, 'the same version again: an echo');
    assert.equal(await store.putService(CLUSTER, service('98', 'uid-1', 79)), false, 'an older version arriving late');
    const { service: stored } = await store.read(CLUSTER, REF);
    assert.equal(stored?.metadata?.resourceVersion, '100');
    assert.equal(stored?.spec?.ports?.[0].port, 81);
    assert.equal(stored?.status, undefined, "status is the server's");
    assert.equal(stored?.metadata?.managedFields, undefined);
    assert.equal(stored?.metadata?.creationTimestamp, undefined);
  });

  it('forgets an object only for the uid that was deleted', async () => {
    const store = fresh();
    await store.putService(CLUSTER, service('10', 'uid-new'));
    assert.equal(await store.deleteService(CLUSTER, REF, 'uid-old'), false, 'the delete of an earlier object of that name');
    assert.notEqual((await store.read(CLUSTER, REF)).service, undefined);
    assert.equal(await store.deleteService(CLUSTER, REF, 'uid-new'), true);
    assert.equal((await store.read(CLUSTER, REF)).service, undefined);
    assert.equal(await store.deleteService(CLUSTER, REF, 'uid-new'), false, 'the echo of a delete already recorded');
  });

  it('replaces a snapshot with a fresh list, keeping what was stored after the list was taken', async () => {
    const store = fresh();
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
    const store = fresh();
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

  it('keeps the keys whose passes wait for a namespace until its watcher takes them, once', async () => {
    const store = fresh();
    await store.awaitSync(CLUSTER, 'team', 'a/fromHost/team/db');
    await store.awaitSync(CLUSTER, 'team', 'a/fromHost/team/db');
    await store.awaitSync(CLUSTER, 'team', 'a/fromHost/team/cache');
    await store.awaitSync(CLUSTER, 'other', 'a/fromHost/other/x');
    assert.deepEqual((await store.takeWaiting(CLUSTER, 'team')).sort(), ['a/fromHost/team/cache', 'a/fromHost/team/db']);
    assert.deepEqual(await store.takeWaiting(CLUSTER, 'team'), []);
    assert.deepEqual(await store.takeWaiting(CLUSTER, 'other'), ['a/fromHost/other/x']);
  });
}
