import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { stringify } from 'yaml';
import { serverSuite } from './support/server-suite';
import { SmallDeployment } from './support/small-deployment';
import { eventually } from './support/wait';

const PREFIX = 'e2e-ha';
const TAKEOVER_LIMIT_MS = 15_000;

/**
 * config-watcher and host-watcher with two replicas each against real servers: one leads (holds
 * the leader lease), the other stands by and does nothing; SIGKILL the leader and the stand-by
 * leads within 15 s. Only the leader publishes: each config edit is one publication, with versions
 * that only rise.
 */
serverSuite('config-watcher and host-watcher with two replicas', () => {
  let fx: SmallDeployment;

  const configure = (targets: string[]) =>
    writeFile(join(fx.dir, 'a.yaml'), stringify({ networking: { replicateServices: { fromHost: targets.map((name) => ({ from: 'shared/db', to: `default/${name}` })) } } }));
  const mirrorPort = async (name: string) => (await fx.tenantCore.readNamespacedService({ namespace: 'default', name }).catch(() => undefined))?.spec?.ports?.[0]?.port;
  const replicaLog = (app: string) => readFile(join(fx.dir, `${app}-replica.log`), 'utf8').catch(() => '');
  /** Every publication either config-watcher logged (apps.log has both replicas' logs): version and who. */
  const publications = async () => {
    const replicaLines = new Set((await replicaLog('config-watcher')).split('\n'));
    return (await fx.apps.log('config-watcher'))
      .split('\n')
      .flatMap((line) => {
        const version = /"version":(\d+).*published mappings version/.exec(line)?.[1];
        return version === undefined ? [] : [{ who: replicaLines.has(line) ? 'replica' : 'main', version: Number(version) }];
      });
  };
  const leaseHolder = (name: string) => fx.redis.hget(`${PREFIX}:replicator:lease:${name}`, 'holder');

  before(async () => {
    fx = await SmallDeployment.start(PREFIX);
    await fx.writeTenantsFile([await fx.grantTenant('a', { file: 'a.yaml' })]);
    await fx.hostCore.createNamespacedService({ namespace: 'shared', body: { metadata: { name: 'db' }, spec: { ports: [{ port: 5432 }] } } });
    await configure(['db']);
    const apps = await fx.startApps({ CONFIG_POLL_MS: '300', LEASE_TTL_SECONDS: '10' });
    await apps.startReplica('config-watcher');
    await apps.startReplica('host-watcher');
    await eventually(async () => ((await mirrorPort('db')) === 5432 ? true : undefined), 60_000);
  });

  after(async () => fx?.stop());

  it('the first replica of each leads; the stand-bys publish and watch nothing', async () => {
    const pid = (app: 'config-watcher' | 'host-watcher') => `/${fx.apps.process(app)?.pid}/`;
    assert.ok((await leaseHolder('config-watcher'))?.includes(pid('config-watcher')));
    assert.ok((await leaseHolder('host-watcher'))?.includes(pid('host-watcher')));
    await configure(['db', 'db2']);
    await eventually(async () => ((await mirrorPort('db2')) === 5432 ? true : undefined), 30_000);
    assert.deepEqual((await publications()).filter((p) => p.who === 'replica'), []);
    assert.ok(!(await replicaLog('host-watcher')).includes('host-watcher leads'));
  });

  it('SIGKILL the config-watcher leader: the stand-by leads within 15 s and publishes the next edit, once, with a higher version', async () => {
    const before = await publications();
    await fx.apps.kill('config-watcher');
    const killedAt = Date.now();
    await eventually(async () => ((await replicaLog('config-watcher')).includes('config-watcher leads: publishing') ? true : undefined), 30_000, 100);
    const tookMs = Date.now() - killedAt;
    console.log(`config-watcher stand-by leads ${tookMs} ms after the SIGKILL`);
    assert.ok(tookMs <= TAKEOVER_LIMIT_MS, `led after ${tookMs} ms`);
    await configure(['db', 'db2', 'db3']);
    await eventually(async () => ((await mirrorPort('db3')) === 5432 ? true : undefined), 30_000);
    const after = (await publications()).slice(before.length);
    const all = await publications();
    const versions = all.map((p) => p.version);
    assert.deepEqual(versions, [...versions].sort((a, b) => a - b), `versions only rise: ${JSON.stringify(all)}`);
    assert.equal(new Set(versions).size, versions.length, `no version published twice: ${JSON.stringify(all)}`);
    assert.ok(after.every((p) => p.who === 'replica') && after.length >= 1, JSON.stringify(after));
  });

  it('SIGKILL the host-watcher leader: the stand-by leads within 15 s and follows the host sources', async () => {
    await fx.apps.kill('host-watcher');
    const killedAt = Date.now();
    await eventually(async () => ((await replicaLog('host-watcher')).includes('host-watcher leads') ? true : undefined), 30_000, 100);
    const tookMs = Date.now() - killedAt;
    console.log(`host-watcher stand-by leads ${tookMs} ms after the SIGKILL`);
    assert.ok(tookMs <= TAKEOVER_LIMIT_MS, `led after ${tookMs} ms`);
    await fx.hostCore.patchNamespacedService({ namespace: 'shared', name: 'db', body: [{ op: 'replace', path: '/spec/ports/0/port', value: 6543 }] });
    await eventually(async () => ((await mirrorPort('db')) === 6543 && (await mirrorPort('db3')) === 6543 ? true : undefined), 30_000);
  });
});
