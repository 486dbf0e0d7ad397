import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { mutatingRequests } from './support/api-writes';
import { ReplicationFixture, statusOf } from './support/replication-fixture';
import { serverSuite } from './support/server-suite';
import { eventually } from './support/wait';

/** POST requests for Services the tenant API server has answered (any code). */
async function serviceCreates(cluster: Parameters<typeof mutatingRequests>[0]): Promise<number> {
  return (await mutatingRequests(cluster, ['POST'])).services;
}

serverSuite('conflicts, bad config and crashes', () => {
  let fx: ReplicationFixture;

  before(async () => {
    fx = await ReplicationFixture.start({ prefix: 'e2e-failures', env: { RESYNC_INTERVAL_SECONDS: '2', ORPHAN_SWEEP_INTERVAL_SECONDS: '2' } });
    for (const name of ['db', 'queue']) {
      await fx.hostCore.createNamespacedService({ namespace: 'shared', body: { metadata: { name }, spec: { ports: [{ port: 5432 }] } } });
    }
    // A Service of the user's own, with the name a mapping will ask for.
    await fx.tenant('a').core.createNamespacedService({
      namespace: 'default',
      body: { metadata: { name: 'taken', labels: { owner: 'someone-else' } }, spec: { selector: { app: 'theirs' }, ports: [{ port: 1234 }] } },
    });
    await fx.configure('a', {
      fromHost: [
        { from: 'shared/db', to: 'default/db' },
        { from: 'shared/db', to: 'default/taken' },
      ],
    });
    await eventually(() => fx.tenant('a').core.readNamespacedService({ namespace: 'default', name: 'db' }));
  });
  after(async () => fx?.stop());

  it('leaves an unowned target untouched and reports the conflict with a Warning Event', async () => {
    const status = await eventually(async () => {
      const s = await fx.status('a/fromHost/default/taken');
      return s?.state === 'conflict' ? s : undefined;
    });
    assert.match(status.message, /not managed by service-replicator|left untouched/);
    const events = await eventually(async () => {
      const list = await fx.tenant('a').core.listNamespacedEvent({ namespace: 'default', fieldSelector: 'involvedObject.name=taken' });
      return list.items.length > 0 ? list.items : undefined;
    });
    assert.equal(events[0].type, 'Warning');
    assert.equal(events[0].reason, 'ReplicationConflict');
    const svc = await fx.tenant('a').core.readNamespacedService({ namespace: 'default', name: 'taken' });
    assert.deepEqual(svc.metadata?.labels, { owner: 'someone-else' });
    assert.deepEqual(svc.spec?.selector, { app: 'theirs' });
    assert.equal(svc.spec?.ports?.[0].port, 1234);
  });

  it('rejects a bad config with the path and line of each error, and changes nothing', async () => {
    const versionBefore = await fx.publishedVersion('a');
    assert.equal(typeof versionBefore, 'number', 'tenant a has a published config');
    await fx.writeRawConfig(
      'a',
      ['networking:', '  replicateServices:', '    fromHost:', '      - from: shared/db', '        to: default/Bad_Name', ''].join('\n'),
    );
    const check = await eventually(async () => {
      const c = await fx.configCheck('a');
      return c && !c.valid ? c : undefined;
    });
    assert.equal(check.issues[0].path, 'networking.replicateServices.fromHost[0].to');
    assert.equal(check.issues[0].line, 5);
    assert.match(check.issues[0].message, /Bad_Name/);
    assert.match(await fx.replicator.log('config-watcher'), /networking\.replicateServices\.fromHost\[0\]\.to/);
    // The last good config stays in force: the pass that refused it recorded the version it kept
    // (it publishes, if at all, before recording its check), so nothing was published or deleted.
    assert.equal(check.versionInForce, versionBefore);
    assert.equal(await fx.publishedVersion('a'), versionBefore);
    assert.equal(await statusOf(fx.tenant('a').core.readNamespacedService({ namespace: 'default', name: 'db' })), 200);
  });

  it('removes a mirror we own whose mapping is gone, on the periodic resync', async () => {
    // As if its entry had been removed while every app was down.
    const ours = {
      'app.kubernetes.io/managed-by': 'service-replicator',
      'replicator.service-replicator.io/tenant': 'a',
      'replicator.service-replicator.io/direction': 'fromHost',
    };
    await fx.tenant('a').core.createNamespacedService({
      namespace: 'default',
      body: { metadata: { name: 'orphan', labels: ours }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } },
    });
    await eventually(async () => ((await statusOf(fx.tenant('a').core.readNamespacedService({ namespace: 'default', name: 'orphan' }))) === 404 ? true : undefined));
  });

  it('heals a snapshot that lost an existing target (its namespace still vouched for): one read, not a POST every second', async () => {
    const core = fx.tenant('a').core;
    await eventually(async () => ((await fx.status('a/fromHost/default/db'))?.state === 'in-sync' ? true : undefined));
    // As a FLUSHALL that raced a watcher re-vouching for the namespace left it: synced, target unknown.
    await fx.redis.del(`${fx.prefix}:replicator:snap:tenant.a:default/db`);
    const before = await serviceCreates(fx.tenant('a').cluster);
    await fx.hostCore.patchNamespacedService({ namespace: 'shared', name: 'db', body: [{ op: 'replace', path: '/spec/ports/0/port', value: 5433 }] });
    await eventually(async () => ((await core.readNamespacedService({ namespace: 'default', name: 'db' })).spec?.ports?.[0].port === 5433 ? true : undefined), 30_000);
    // The one refused create told the writer the mirror exists; the next pass updated it.
    assert.ok((await serviceCreates(fx.tenant('a').cluster)) - before <= 2, 'a refused create is not repeated');
  });

  it('converges after the writer is killed with SIGKILL mid-run and restarted', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `burst-${i}`);
    for (const name of names) {
      await fx.hostCore.createNamespacedService({ namespace: 'shared', body: { metadata: { name }, spec: { ports: [{ port: 80 }] } } });
    }
    await fx.configure('a', { fromHost: [{ from: 'shared/db', to: 'default/db' }, ...names.map((name) => ({ from: `shared/${name}`, to: `default/${name}` }))] });
    // Kill as soon as the first mirrors appear: the rest are queued or in hand.
    await eventually(() => fx.tenant('a').core.readNamespacedService({ namespace: 'default', name: names[0] }), 30_000, 20);
    await fx.replicator.kill('writer');
    await fx.hostCore.patchNamespacedService({ namespace: 'shared', name: 'db', body: [{ op: 'replace', path: '/spec/ports/0/port', value: 6543 }] });

    await fx.replicator.startApp('writer');
    await eventually(async () => {
      const list = await fx.tenant('a').core.listNamespacedService({ namespace: 'default', labelSelector: 'app.kubernetes.io/managed-by=service-replicator' });
      const mirrored = new Set(list.items.map((s) => s.metadata?.name));
      const db = list.items.find((s) => s.metadata?.name === 'db');
      return names.every((n) => mirrored.has(n)) && db?.spec?.ports?.[0].port === 6543 ? true : undefined;
    }, 60_000);
    // The user's own Service was never touched, and its mapping is gone now: still not touched.
    assert.equal(await statusOf(fx.tenant('a').core.readNamespacedService({ namespace: 'default', name: 'taken' })), 200);
  });
});
