import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { stringify } from 'yaml';
import { openWatches } from './support/api-server-metrics';
import { statusOf } from './support/replication-fixture';
import { serverSuite } from './support/server-suite';
import { SmallDeployment } from './support/small-deployment';
import { socketsTo } from './support/sockets';
import { eventually } from './support/wait';

const PREFIX = 'e2e-shards';
const TENANTS = Array.from({ length: 8 }, (_, i) => `t${i}`);
const TAKEOVER_LIMIT_MS = 15_000;
/** KUBE_MAX_SOCKETS_PER_SERVER for the apps: the eight tenants share one API server identity. */
const MAX_SOCKETS = 2;

/**
 * tenant-watcher with two replicas against real servers: eight tenants on one tenant API server,
 * each watched by exactly one replica (its lease), rebalanced when a replica joins, taken over
 * within 15 s of a SIGKILL, and a burst of 50 announcements never makes a second watcher. Watches
 * are counted by the tenant API server itself (apiserver_longrunning_requests).
 */
serverSuite('tenant-watcher shards', () => {
  let fx: SmallDeployment;
  /** Watches the tenant API server held before any app ran (its controller-manager's). */
  let baseline: Map<string, number>;

  const holders = async () => {
    const entries = await Promise.all(TENANTS.map(async (name) => [name, await fx.redis.hget(`${PREFIX}:replicator:lease:tenant-watcher:${name}`, 'holder')] as const));
    return new Map(entries);
  };
  /** Our watches on the tenant API server, by resource: the server's count less its controller-manager's. */
  const ourWatches = async () => {
    const now = await openWatches(fx.tenant);
    return { services: (now.get('services') ?? 0) - (baseline.get('services') ?? 0), endpointslices: (now.get('endpointslices') ?? 0) - (baseline.get('endpointslices') ?? 0) };
  };
  const exactlyOneWatcherEach = () => eventually(async () => {
    const watches = await ourWatches();
    return watches.services === TENANTS.length && watches.endpointslices === TENANTS.length ? watches : undefined;
  }, 30_000, 200);
  /** A hand-deleted mirror comes back: the tenant's watcher saw it go. */
  const driftRepaired = async (name: string) => {
    await fx.tenantCore.deleteNamespacedService({ namespace: name, name: 'db' });
    await eventually(async () => ((await statusOf(fx.tenantCore.readNamespacedService({ namespace: name, name: 'db' }))) === 200 ? true : undefined), 30_000, 100);
  };
  const replicaLog = () => readFile(join(fx.dir, 'tenant-watcher-replica.log'), 'utf8').catch(() => '');

  before(async () => {
    fx = await SmallDeployment.start(PREFIX);
    const specs = [];
    for (const name of TENANTS) specs.push(await fx.grantTenant(name, { file: `${name}.yaml` }));
    await fx.hostCore.createNamespacedService({ namespace: 'shared', body: { metadata: { name: 'db' }, spec: { ports: [{ port: 5432 }] } } });
    for (const name of TENANTS) {
      await writeFile(join(fx.dir, `${name}.yaml`), stringify({ networking: { replicateServices: { fromHost: [{ from: 'shared/db', to: `${name}/db` }] } } }));
    }
    await fx.writeTenantsFile(specs);
    baseline = await openWatches(fx.tenant);
    await fx.startApps({ CONFIG_POLL_MS: '500', LEASE_TTL_SECONDS: '10', KUBE_MAX_SOCKETS_PER_SERVER: String(MAX_SOCKETS) });
    for (const name of TENANTS) await fx.inSync(`${name}/fromHost/${name}/db`);
  });

  after(async () => fx?.stop());

  it('one replica watches every tenant once: two watches per watched namespace', async () => {
    assert.deepEqual(await exactlyOneWatcherEach(), { services: 8, endpointslices: 8 });
    assert.equal(new Set((await holders()).values()).size, 1);
  });

  it('the writer reaches the API server the eight tenants share through one bounded pool of sockets', async () => {
    const writer = fx.apps.process('writer')?.pid;
    assert.ok(writer);
    // Every tenant's mirror written again at once: eight tenants' passes in flight together.
    await Promise.all(TENANTS.map((name) => fx.tenantCore.deleteNamespacedService({ namespace: name, name: 'db' })));
    let most = 0;
    await eventually(async () => {
      most = Math.max(most, await socketsTo(writer, fx.tenant.server));
      const back = await Promise.all(TENANTS.map((name) => statusOf(fx.tenantCore.readNamespacedService({ namespace: name, name: 'db' }))));
      return back.every((code) => code === 200) ? true : undefined;
    }, 30_000, 50);
    console.log(`the writer held at most ${most} sockets to the tenant API server for 8 tenants`);
    assert.ok(most >= 1 && most <= MAX_SOCKETS, `${most} sockets`);
  });

  it('a second replica takes its share without a gap: each tenant is held by one replica, watched once, and its drift still repaired', async () => {
    await fx.apps.startReplica('tenant-watcher');
    const split = await eventually(async () => {
      const held = await holders();
      const replicas = new Set(held.values());
      return replicas.size === 2 && [...held.values()].every(Boolean) ? held : undefined;
    }, 30_000, 200);
    console.log(`after the second replica joined: ${JSON.stringify(Object.fromEntries(split))}`);
    assert.deepEqual(await exactlyOneWatcherEach(), { services: 8, endpointslices: 8 });
    const first = `/${fx.apps.process('tenant-watcher')?.pid}/`;
    const moved = TENANTS.filter((name) => !split.get(name)?.includes(first));
    const log = await replicaLog();
    for (const name of moved) assert.ok(log.includes(`"msg":"watching tenant ${name}"`), `the new replica watches ${name}`);
    for (const name of TENANTS) await driftRepaired(name);
  });

  it('50 announcements at once make no second watcher for any tenant', async () => {
    const holdersBefore = await holders();
    const startsBefore = ((await fx.apps.log('tenant-watcher')) + (await replicaLog())).split('"msg":"watching tenant').length;
    const channel = 'replicator.mappings-changed';
    await Promise.all(Array.from({ length: 50 }, (_, i) => fx.redis.publish(channel, JSON.stringify({ pattern: channel, data: { tenant: TENANTS[i % 8], version: 1_000 + i } }))));
    // Both replicas handled the burst (the last reload carries the last announcement's reason).
    await eventually(async () => ((await fx.apps.log('tenant-watcher')).includes('published version 1049') && (await replicaLog()).includes('published version 1049') ? true : undefined), 30_000);
    assert.deepEqual(await ourWatches(), { services: 8, endpointslices: 8 });
    assert.deepEqual(await holders(), holdersBefore);
    const startsAfter = ((await fx.apps.log('tenant-watcher')) + (await replicaLog())).split('"msg":"watching tenant').length;
    assert.equal(startsAfter, startsBefore, 'no tenant was watched anew');
  });

  it("a SIGKILLed replica's tenants are taken over within 15 s, their first list compared with the snapshots", async () => {
    const held = await holders();
    const survivor = [...new Set(held.values())].find((holder) => holder && !holder.includes(`/${fx.apps.process('tenant-watcher')?.pid}/`));
    const orphaned = TENANTS.filter((name) => held.get(name) !== survivor);
    assert.ok(orphaned.length > 0, 'the replica to kill holds some tenants');
    await fx.apps.kill('tenant-watcher');
    const killedAt = Date.now();
    await eventually(async () => ([...(await holders()).values()].every((holder) => holder === survivor) ? true : undefined), 30_000, 100);
    const tookMs = Date.now() - killedAt;
    console.log(`tenants ${orphaned.join(', ')} taken over ${tookMs} ms after the SIGKILL`);
    assert.ok(tookMs <= TAKEOVER_LIMIT_MS, `taken over after ${tookMs} ms`);
    assert.deepEqual(await exactlyOneWatcherEach(), { services: 8, endpointslices: 8 });
    for (const name of orphaned) await driftRepaired(name);
  });
});
