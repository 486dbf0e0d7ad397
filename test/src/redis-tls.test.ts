import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { Redis } from 'ioredis';
import { startTlsRedis, type TlsRedis } from '@service-replicator/control-plane-harness';
import { RedisDeploymentChecks } from './support/redis-deployment-checks';
import { ReplicationFixture } from './support/replication-fixture';
import { serverSuite } from './support/server-suite';

/**
 * REDIS_URL with a user, a password and TLS (`rediss://`, a CA and a client certificate) for every
 * app, BullMQ's connections and the announcement transport included, against a redis-server that
 * listens only on TLS, requires a client certificate, has its default user disabled and lets the
 * apps' ACL user touch only keys under the prefix.
 */

const PREFIX = 'e2e-tls';
// Characters a URL must carry percent-encoded: the apps must decode them as ioredis would.
const USER = { name: 'replicator', password: 'p@ss:w/rd%', keys: `${PREFIX}:*` };

/** CLIENT LIST as one record per connection. */
async function clients(redis: ReplicationFixture['redis']): Promise<Record<string, string>[]> {
  const text = String(await redis.call('CLIENT', 'LIST'));
  return text.trim().split('\n').map((line) => Object.fromEntries(line.trim().split(' ').map((field) => [field.slice(0, field.indexOf('=')), field.slice(field.indexOf('=') + 1)])));
}

serverSuite('Redis over TLS with ACL users', () => {
  let fx: ReplicationFixture;
  let tls: TlsRedis;
  let checks: RedisDeploymentChecks;

  before(async () => {
    fx = await ReplicationFixture.start({ prefix: PREFIX, redis: async () => (tls = await startTlsRedis({ user: USER })) });
    checks = new RedisDeploymentChecks(fx);
    await checks.createSources(['db', 'cache']);
  });

  after(() => fx?.stop());

  it('the server refuses what the apps must get right: no client certificate, no user', async () => {
    const { ca } = (await tls.tlsOptions()) as { ca: Buffer };
    const handshake = await new Promise<string>((resolve) => {
      const socket = tlsConnect({ host: '127.0.0.1', port: tls.port, ca }, () => socket.write('PING\r\n'));
      socket.once('data', (data) => resolve(data.toString()));
      socket.once('error', (error) => resolve(`error: ${error.message}`));
      socket.once('close', () => resolve('closed'));
    });
    assert.doesNotMatch(handshake, /PONG/, 'a connection without a client certificate is refused');
    const anonymous = new Redis({ host: '127.0.0.1', port: tls.port, tls: await tls.tlsOptions(), lazyConnect: true, enableReadyCheck: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    anonymous.on('error', () => undefined);
    try {
      await anonymous.connect();
      await assert.rejects(anonymous.get(`${PREFIX}:x`), /NOAUTH/);
    } finally {
      anonymous.disconnect();
    }
  });

  it('a mapping is replicated and followed: BullMQ, the stores and the announcements all work over TLS as the ACL user', async () => {
    await checks.replicatesAndFollows(['db', 'cache']);
    const report = (await (await fetch(`${await fx.replicator.httpAddress('config-watcher')}/status.json`)).json()) as { counts: Record<string, number> };
    assert.equal(report.counts['in-sync'], 2, 'the status page reads Redis over TLS too');
  });

  it('every connection of every app is the ACL user, the announcement subscribers included', async () => {
    const apps = (await clients(fx.redis)).filter((client) => client.user !== 'admin');
    assert.deepEqual([...new Set(apps.map((client) => client.user))], [USER.name]);
    const names = new Set(apps.map((client) => client.name));
    // The writer's queue and worker share its worker connection (@nestjs/bullmq makes the worker on the queue's).
    for (const name of ['config-watcher', 'config-watcher-stores', 'host-watcher', 'tenant-watcher', 'writer-stores', 'writer-worker', 'status-view']) {
      assert.ok(names.has(name), `a connection named ${name} (named: ${[...names].join(', ')})`);
    }
    // Nest's Redis transport: the watchers' subscriber connections (flag P: pub/sub).
    assert.ok(apps.filter((client) => client.flags.includes('P')).length >= 2, 'the watchers subscribe to announcements as the ACL user');
  });

  it('no command of the apps was refused: every key they write is under the prefix (ACL LOG is empty)', async () => {
    assert.deepEqual(await fx.redis.call('ACL', 'LOG'), []);
    assert.deepEqual(await checks.appsLogging(/NOPERM|NOAUTH|WRONGPASS/), []);
  });
});
