import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ReplicationFixture, statusOf } from './support/replication-fixture';
import { ServiceDeletions } from './support/service-deletions';
import { serverSuite } from './support/server-suite';
import { eventually } from './support/wait';

/**
 * config-watcher's side of Redis faults: what it published comes back by itself after FLUSHALL
 * and after Redis restarts empty (within a poll, the files unchanged, nothing deleted meanwhile);
 * the announcement channel survives a Redis restart; started during an outage, it waits.
 */

const WAIT_MS = 60_000;

serverSuite('config-watcher and Redis faults', () => {
  let fx: ReplicationFixture;
  let deletions: ServiceDeletions;

  const mirror = (name: string) => statusOf(fx.tenant('a').core.readNamespacedService({ namespace: 'default', name }));
  const inSync = (name: string) => eventually(async () => ((await fx.status(`a/fromHost/default/${name}`))?.state === 'in-sync' ? true : undefined), WAIT_MS);
  /** host-watcher's log says it reloaded the mappings because config-watcher announced `version`. */
  const announcedToHostWatcher = (version: number) =>
    eventually(async () => ((await fx.replicator.log('host-watcher')).includes(`announcement received: tenant a published version ${version}"`) ? true : undefined), WAIT_MS);

  /** How often an app's announcement transport (Nest's Redis client or server) has connected, from its log. */
  const transportConnections = async (app: 'config-watcher' | 'host-watcher') =>
    (await fx.replicator.log(app)).split('\n').filter((line) => line.includes('"msg":"Connected to Redis. Subscribing to channels..."')).length;

  before(async () => {
    // No periodic resync while the test runs: whatever comes back, comes back through config-watcher.
    fx = await ReplicationFixture.start({ prefix: 'e2e-config-redis', env: { RESYNC_INTERVAL_SECONDS: '3600' } });
    for (const name of ['db', 'late', 'later']) {
      await fx.hostCore.createNamespacedService({ namespace: 'shared', body: { metadata: { name }, spec: { ports: [{ port: 80 }] } } });
    }
    await fx.configure('a', { fromHost: [{ from: 'shared/db', to: 'default/db' }] });
    await inSync('db');
    deletions = await ServiceDeletions.watch(fx.tenant('a').cluster);
  });

  after(async () => {
    deletions?.stop();
    await fx?.stop();
  });

  it('after FLUSHALL the mappings are published again, with a higher version, their keys enqueued, and nothing is deleted', async () => {
    const before = await fx.published('a');
    await fx.redis.flushall();
    const again = await eventually(async () => fx.published('a'), 10_000, 50);
    assert.deepEqual(again.mappings, before?.mappings);
    assert.ok(again.version > (before?.version ?? 0), `version ${again.version} after ${before?.version}`);
    // The queue went with the data: the keys were enqueued again and the writer reported on them
    // (its record is back). Whether it is in sync again depends on the watchers refilling their
    // snapshots, which FLUSHALL emptied too: not config-watcher's part.
    await eventually(async () => fx.status('a/fromHost/default/db'), WAIT_MS);
    assert.equal(await mirror('db'), 200);
    assert.deepEqual(deletions.names(), []);
  });

  it('after Redis restarts empty, announcements still reach host-watcher: a new mapping is replicated and followed at once', async () => {
    const connectionsBefore = { config: await transportConnections('config-watcher'), host: await transportConnections('host-watcher') };
    await fx.stopRedis();
    await fx.startRedisAgain();
    await eventually(async () => fx.published('a'), WAIT_MS, 100);
    // Both ends of the announcement channel (publisher and subscriber, two connections each) are back.
    await eventually(async () => ((await transportConnections('config-watcher')) >= connectionsBefore.config + 2 ? true : undefined), WAIT_MS);
    await eventually(async () => ((await transportConnections('host-watcher')) >= connectionsBefore.host + 2 ? true : undefined), WAIT_MS);
    await fx.configure('a', { fromHost: [{ from: 'shared/db', to: 'default/db' }, { from: 'shared/late', to: 'default/late' }] });
    const published = await eventually(async () => {
      const record = await fx.published('a');
      return record?.mappings.length === 2 ? record : undefined;
    }, WAIT_MS);
    await announcedToHostWatcher(published.version);
    await inSync('late');
    // host-watcher follows the new source: a change to it reaches the mirror without a resync.
    await fx.hostCore.patchNamespacedService({ namespace: 'shared', name: 'late', body: [{ op: 'replace', path: '/spec/ports/0/port', value: 8080 }] });
    await eventually(async () => {
      const service = await fx.tenant('a').core.readNamespacedService({ namespace: 'default', name: 'late' });
      return service.spec?.ports?.[0]?.port === 8080 ? true : undefined;
    }, WAIT_MS);
    assert.deepEqual(deletions.names(), []);
  });

  it('started during a Redis outage, config-watcher waits for Redis (past 30 s), then publishes', async () => {
    await fx.replicator.kill('config-watcher');
    await fx.stopRedis();
    const starting = fx.replicator.startApp('config-watcher');
    starting.catch(() => undefined);
    // Alive past 30 s: it says so itself (the old behaviour was to exit at 30 s).
    await eventually(async () => (/still waiting for Redis \((3\d|[4-9]\d) s so far\)/.test(await fx.replicator.log('config-watcher')) ? true : undefined), WAIT_MS, 500);
    await fx.startRedisAgain();
    // The same process becomes ready (the harness fails this if it had exited).
    await starting;
    await fx.configure('a', { fromHost: [{ from: 'shared/db', to: 'default/db' }, { from: 'shared/late', to: 'default/late' }, { from: 'shared/later', to: 'default/later' }] });
    await inSync('later');
    assert.deepEqual(deletions.names(), []);
  });
});
