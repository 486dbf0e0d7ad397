import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { V1EndpointSlice } from '@kubernetes/client-node';
import { ReplicatorRedis } from '@service-replicator/replication-queue';
import { ReplicationFixture } from './support/replication-fixture';
import { serverSuite } from './support/server-suite';
import { eventually } from './support/wait';

const ROUNDS = 20;
const KEY = 'a/fromHost/default/pg';
const OURS = 'app.kubernetes.io/managed-by=service-replicator';

/**
 * A user replaces our mirror with a Service of their own while the source keeps changing: every
 * pass racing with that may still hold our old Service in its snapshot and write slices for it. At
 * the end of each round none of our EndpointSlices may be attached to the user's Service, or its
 * traffic would go to the host Service. Our slices name our Service as their owner (the garbage
 * collector removes them with it), and a pass that finds a Service that is not ours deletes ours.
 */
serverSuite('a conflict releases everything of ours', () => {
  let fx: ReplicationFixture;
  let redis: ReplicatorRedis;

  before(async () => {
    fx = await ReplicationFixture.start({ prefix: 'e2e-conflict-race' });
    redis = new ReplicatorRedis(fx.redisServer.url, fx.prefix, 'test');
    // Headless: its endpoints are copied, so every source change rewrites our slices.
    await fx.hostCore.createNamespacedService({ namespace: 'shared', body: { metadata: { name: 'pg' }, spec: { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] } } });
    await writeHostEndpoints(fx, 0);
    await fx.configure('a', { fromHost: [{ from: 'shared/pg', to: 'default/pg' }] });
  });
  after(async () => {
    await redis?.close();
    await fx?.stop();
  });

  it(`leaves none of our EndpointSlices on a user's Service that replaced our mirror, in ${ROUNDS} of ${ROUNDS} races`, async () => {
    const leftOn: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      await ourMirrorWithSlices(fx);
      // The race: our mirror deleted and the user's own Service created in its place, while the source changes.
      await Promise.all([replaceWithUsersService(fx), writeHostEndpoints(fx, round)]);
      await settled(fx, redis);
      const ours = await eventually(async () => ((await ourSlices(fx)).length === 0 ? [] : undefined), 60_000).catch(() => undefined);
      leftOn.push(ours === undefined ? (await ourSlices(fx)).length : 0);
      // Another pass over the settled state must not bring any back.
      await redis.queue.enqueue([KEY], 'test: confirm');
      await settled(fx, redis);
      assert.deepEqual((await ourSlices(fx)).map((slice) => slice.metadata?.name), [], `round ${round}: our slices on the user's Service after one more pass`);
      // The user gives the name back: our mirror returns for the next round.
      await fx.tenant('a').core.deleteNamespacedService({ namespace: 'default', name: 'pg' });
    }
    assert.deepEqual(leftOn, new Array(ROUNDS).fill(0), 'our slices left on the user Service, per round');
  });
});

/** The host's headless Service's endpoints, one address per round, so every round changes the source. */
async function writeHostEndpoints(fx: ReplicationFixture, round: number): Promise<void> {
  const body: V1EndpointSlice = {
    metadata: { name: 'pg-manual', labels: { 'kubernetes.io/service-name': 'pg', 'endpointslice.kubernetes.io/managed-by': 'test' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [`10.244.9.${round + 1}`], conditions: { ready: true } }],
    ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
  };
  if (round === 0) await fx.hostDiscovery.createNamespacedEndpointSlice({ namespace: 'shared', body });
  else await fx.hostDiscovery.replaceNamespacedEndpointSlice({ namespace: 'shared', name: 'pg-manual', body });
}

/**
 * Deletes our mirror and creates the user's own Service in its place. The writer may recreate our
 * mirror in between (its source still exists): the user then tries again, as a person would.
 */
async function replaceWithUsersService(fx: ReplicationFixture): Promise<void> {
  const tenant = fx.tenant('a').core;
  const users = { metadata: { name: 'pg' }, spec: { ports: [{ port: 80 }], selector: { app: 'mine' } } };
  await eventually(async () => {
    await tenant.deleteNamespacedService({ namespace: 'default', name: 'pg' }).catch(ignoreStatus(404));
    try {
      await tenant.createNamespacedService({ namespace: 'default', body: users });
      return true;
    } catch (error) {
      if ((error as { code?: number }).code === 409) return undefined;
      throw error;
    }
  }, 30_000, 20);
}

function ignoreStatus(code: number): (error: unknown) => void {
  return (error) => {
    if ((error as { code?: number }).code !== code) throw error;
  };
}

function ourSlices(fx: ReplicationFixture): Promise<V1EndpointSlice[]> {
  return fx.tenant('a').discovery.listNamespacedEndpointSlice({ namespace: 'default', labelSelector: `kubernetes.io/service-name=pg,${OURS}` }).then((list) => list.items);
}

async function ourMirrorWithSlices(fx: ReplicationFixture): Promise<void> {
  await eventually(async () => {
    const service = await fx.tenant('a').core.readNamespacedService({ namespace: 'default', name: 'pg' });
    const ours = service.metadata?.labels?.['app.kubernetes.io/managed-by'] === 'service-replicator';
    return ours && (await ourSlices(fx)).length > 0 ? true : undefined;
  }, 60_000);
}

/** The writer has recorded the conflict and has nothing left to do (no job waiting, delayed or in hand). */
async function settled(fx: ReplicationFixture, redis: ReplicatorRedis): Promise<void> {
  await eventually(async () => {
    const status = await fx.status(KEY);
    const counts = await redis.queue.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    const idle = Object.values(counts).every((count) => count === 0);
    return status?.state === 'conflict' && idle ? true : undefined;
  }, 60_000);
}
