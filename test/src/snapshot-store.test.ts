import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { Redis } from 'ioredis';
import { startRedis, type RedisServer } from '@service-replicator/control-plane-harness';
import { FencedError, LeaseStore } from '@service-replicator/leases';
import { MappingStore, SnapshotStore } from '@service-replicator/replication-queue';
import { snapshotContract } from '@service-replicator/replication-queue/testing';
import { serverSuite } from './support/server-suite';
import { eventually } from './support/wait';

const { CLUSTER, REF, service, slice } = snapshotContract;

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

  // What the in-memory store that unit tests use must also do (libs/replication-queue/src/testing).
  snapshotContract.snapshotStoreContract(fresh);

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

  it("reads all tenants' mappings again only for tenants published since, and sees a removal and Redis losing them", async () => {
    const mappings = new MappingStore(redis, `all-${++prefix}`);
    const reader = new MappingStore(redis, `all-${prefix}`);
    const spec = (name: string) => ({ name, hostNamespace: `vc-${name}`, kubeconfig: { file: 'k' }, allowedHostNamespaces: [], config: { file: 'c' }, toHostMode: 'selector' as const });
    const mapping = (tenant: string, name: string) => ({ tenant, direction: 'fromHost' as const, source: { namespace: 'shared', name }, target: { namespace: 'default', name } });
    await mappings.publish(spec('a'), [mapping('a', 'db')]);
    await mappings.publish(spec('b'), [mapping('b', 'db')]);
    const names = async () => (await reader.all()).map((t) => `${t.tenant.name}@${t.version}:${t.mappings.map((m) => m.target.name).join()}`).sort();
    const first = await names();
    const reads = async (work: () => Promise<unknown>) => {
      const before = Number(/cmdstat_hgetall:calls=(\d+)/.exec(await redis.info('commandstats'))?.[1] ?? 0);
      await work();
      return Number(/cmdstat_hgetall:calls=(\d+)/.exec(await redis.info('commandstats'))?.[1] ?? 0) - before;
    };
    assert.equal(await reads(() => reader.all()), 1, 'nothing published since: only the records are read');
    const b2 = await mappings.publish(spec('b'), [mapping('b', 'db'), mapping('b', 'cache')]);
    assert.equal(await reads(() => reader.all()), 2, "the records, and b's mappings");
    assert.deepEqual(await names(), [first[0], `b@${b2.version}:cache,db`]);
    await mappings.remove('a');
    assert.deepEqual(await names(), [`b@${b2.version}:cache,db`]);
    await redis.del(`all-${prefix}:replicator:tenants`, `all-${prefix}:replicator:mappings:b`);
    assert.deepEqual(await reader.all(), []);
  });
});
