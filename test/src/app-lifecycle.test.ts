import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { APPS } from '@service-replicator/control-plane-harness';
import { ReplicationFixture } from './support/replication-fixture';
import { serverSuite } from './support/server-suite';
import { eventually } from './support/wait';

serverSuite('the four apps as processes', () => {
  let fx: ReplicationFixture;

  before(async () => {
    fx = await ReplicationFixture.start({ prefix: 'e2e-lifecycle' });
    await fx.hostCore.createNamespacedService({ namespace: 'shared', body: { metadata: { name: 'db' }, spec: { ports: [{ port: 80 }] } } });
    await fx.configure('a', { fromHost: [{ from: 'shared/db', to: 'default/db' }] });
    await eventually(async () => ((await fx.status('a/fromHost/default/db'))?.state === 'in-sync' ? true : undefined));
  });
  after(async () => fx?.stop());

  for (const app of APPS) {
    it(`${app} logs one ready line, then exits 0 on SIGTERM having logged no error`, async () => {
      const log = await fx.replicator.log(app);
      assert.equal(log.split('\n').filter((line) => line.includes(`"msg":"${app} ready"`)).length, 1);
      const proc = fx.replicator.process(app);
      assert.ok(proc, `${app} is running`);
      assert.deepEqual(await proc.stop(10_000), { code: 0, signal: null });
      const errors = (await fx.replicator.log(app)).split('\n').filter((line) => /"level":(50|60)/.test(line));
      assert.deepEqual(errors, []);
    });
  }
});
