import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RedisSettings } from './redis-address';
import { describeRedisTarget, redisTargetOf, redisTargetOfUrl } from './redis-target';

const base: RedisSettings = { REDIS_URL: 'redis://127.0.0.1:6379', QUEUE_PREFIX: 'sr' };
/** Files by path, as the target reads them. */
const files = (contents: Record<string, string>) => (path: string) => {
  if (!(path in contents)) throw new Error(`ENOENT: no such file, open '${path}'`);
  return Buffer.from(contents[path]);
};
/** The options without the reconnect function, which every target carries. */
const plain = (options: object) => {
  const { reconnectOnError, ...rest } = options as { reconnectOnError?: unknown };
  assert.equal(typeof reconnectOnError, 'function');
  return rest;
};

describe('redisTargetOf', () => {
  it('one server: host, port, credentials and database, as ioredis reads the URL', () => {
    const target = redisTargetOf({ ...base, REDIS_URL: 'redis://app:p%40ss@redis:6380/2' });
    assert.equal(target.mode, 'server');
    assert.deepEqual(plain(target.options), { host: 'redis', port: 6380, db: 2, username: 'app', password: 'p@ss' });
  });

  it('rediss:// with a CA and a client certificate: their contents, read once', () => {
    const read = files({ '/ca.pem': 'CA', '/c.pem': 'CERT', '/k.pem': 'KEY' });
    const target = redisTargetOf({ ...base, REDIS_URL: 'rediss://r:6390', REDIS_TLS_CA_FILE: '/ca.pem', REDIS_TLS_CERT_FILE: '/c.pem', REDIS_TLS_KEY_FILE: '/k.pem' }, read);
    const tls = target.options.tls as { ca: Buffer; cert: Buffer; key: Buffer };
    assert.deepEqual([tls.ca.toString(), tls.cert.toString(), tls.key.toString()], ['CA', 'CERT', 'KEY']);
  });

  it('rediss:// without files trusts the system CAs', () => {
    assert.deepEqual(redisTargetOfUrl('rediss://r').options.tls, {});
  });

  it('a file that cannot be read is named', () => {
    assert.throws(() => redisTargetOf({ ...base, REDIS_URL: 'rediss://r', REDIS_TLS_CA_FILE: '/missing.pem' }, files({})), /REDIS_TLS_CA_FILE=\/missing.pem: cannot be read \(ENOENT/);
  });

  it('Sentinel: sentinels and master name, their password, TLS to sentinels and master alike; no host of its own', () => {
    const read = files({ '/ca.pem': 'CA' });
    const target = redisTargetOf(
      { ...base, REDIS_URL: 'rediss://:pw@unused/1', REDIS_TLS_CA_FILE: '/ca.pem', REDIS_SENTINELS: 's-0:26379,s-1:26379', REDIS_SENTINEL_MASTER: 'mymaster', REDIS_SENTINEL_PASSWORD: 'spw' },
      read,
    );
    assert.equal(target.mode, 'sentinel');
    const { tls, sentinelTLS, ...rest } = plain(target.options) as { tls: { ca: Buffer }; sentinelTLS: { ca: Buffer } };
    assert.equal(tls.ca.toString(), 'CA');
    assert.equal(sentinelTLS, tls);
    assert.deepEqual(rest, {
      sentinels: [{ host: 's-0', port: 26379 }, { host: 's-1', port: 26379 }],
      name: 'mymaster',
      sentinelPassword: 'spw',
      enableTLSForSentinelMode: true,
      db: 1,
      password: 'pw',
    });
    assert.equal(describeRedisTarget(target), 'master mymaster of sentinels s-0:26379,s-1:26379 (TLS)');
  });

  it('Cluster: the seed nodes, and per-node options without host or database', () => {
    const target = redisTargetOf({ ...base, REDIS_URL: 'redis://app:pw@unused', QUEUE_PREFIX: '{sr}', REDIS_CLUSTER_NODES: 'n-0:7000,n-1:7001' });
    assert.equal(target.mode, 'cluster');
    assert.deepEqual(target.mode === 'cluster' && target.nodes, [{ host: 'n-0', port: 7000 }, { host: 'n-1', port: 7001 }]);
    assert.deepEqual(plain(target.options), { username: 'app', password: 'pw' });
    assert.equal(describeRedisTarget(target), 'Redis Cluster n-0:7000,n-1:7001');
  });

  it('reconnects (and resends) when a demoted master refuses a write, and only then', () => {
    const reconnect = redisTargetOfUrl('redis://r').options.reconnectOnError as (error: Error) => unknown;
    assert.equal(reconnect(new Error("READONLY You can't write against a read only replica.")), 2);
    assert.equal(reconnect(new Error('NOAUTH Authentication required.')), false);
  });

  it('describes a server without its credentials', () => {
    assert.equal(describeRedisTarget(redisTargetOfUrl('redis://app:secret@redis:6380')), 'Redis redis:6380');
  });
});
