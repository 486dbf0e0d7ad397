import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { repoRoot, runProcess, startRedisCluster, type RedisCluster } from '@service-replicator/control-plane-harness';
import { RedisDeploymentChecks } from './support/redis-deployment-checks';
import { ReplicationFixture } from './support/replication-fixture';
import { serverSuite } from './support/server-suite';

/**
 * A real 3-node Redis Cluster (REDIS_CLUSTER_NODES) for every app: BullMQ's multi-key scripts, our
 * snapshot scripts and transactions work because QUEUE_PREFIX holds a hash tag and every key we
 * write starts with it, so all of them live in one slot; the announcements use the cluster's pub/sub.
 */

const PREFIX = '{e2e-cluster}';

serverSuite('Redis Cluster with a hash-tagged prefix', () => {
  let fx: ReplicationFixture;
  let cluster: RedisCluster;
  let checks: RedisDeploymentChecks;

  before(async () => {
    fx = await ReplicationFixture.start({ prefix: PREFIX, redis: async () => (cluster = await startRedisCluster()) });
    checks = new RedisDeploymentChecks(fx);
    await checks.createSources(['db', 'cache']);
  });

  after(() => fx?.stop());

  it('a mapping is replicated and followed: BullMQ, the stores and the announcements all work on the cluster', async () => {
    await checks.replicatesAndFollows(['db', 'cache']);
  });

  it("every key the apps wrote starts with the prefix and sits in its hash tag's slot, on one node", async () => {
    const byNode = new Map<number, string[]>();
    let slot = -1;
    for (const port of cluster.ports) {
      const node = cluster.connectNode(port);
      try {
        byNode.set(port, await node.keys('*'));
        slot = Number(await node.call('CLUSTER', 'KEYSLOT', PREFIX));
      } finally {
        node.disconnect();
      }
    }
    const holding = [...byNode].filter(([, keys]) => keys.length > 0);
    assert.equal(holding.length, 1, `keys on one node only: ${JSON.stringify(Object.fromEntries(byNode))}`);
    const keys = holding[0][1];
    assert.ok(keys.some((key) => key.includes(':replicator:snap:')) && keys.some((key) => key.includes(':reconcile:')), 'snapshots and queue keys both there');
    assert.deepEqual(keys.filter((key) => !key.startsWith(`${PREFIX}:`)), []);
    const node = cluster.connectNode(holding[0][0]);
    try {
      const slots = new Set(await Promise.all(keys.map(async (key) => Number(await node.call('CLUSTER', 'KEYSLOT', key)))));
      assert.deepEqual([...slots], [slot]);
    } finally {
      node.disconnect();
    }
    assert.deepEqual(await checks.appsLogging(/CROSSSLOT|MOVED|CLUSTERDOWN/), []);
  });

  it('an app refuses to start on a cluster with a prefix that has no hash tag, saying what to set', async () => {
    const result = await runProcess(process.execPath, [join(repoRoot, 'apps', 'writer', 'dist', 'main.js')], {
      env: { ...process.env, ...cluster.env, QUEUE_PREFIX: 'sr', HTTP_PORT: '0' },
      timeoutMs: 30_000,
    });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /QUEUE_PREFIX="sr": with REDIS_CLUSTER_NODES it must hold a hash tag, e\.g\. \{sr\}/);
  });
});
