import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashTagOf, parseHostPorts, parseRedisUrl, redisAddress, redisAddressErrors, type RedisSettings } from './redis-address';

describe('parseRedisUrl', () => {
  const cases: { url: string; expected: object }[] = [
    { url: 'redis://127.0.0.1:6379', expected: { host: '127.0.0.1', port: 6379, tls: false } },
    { url: 'redis://redis', expected: { host: 'redis', port: 6379, tls: false } },
    { url: 'redis://:s3cret@redis:6380/2', expected: { host: 'redis', port: 6380, password: 's3cret', db: 2, tls: false } },
    { url: 'redis://app:p%40ss@redis/0', expected: { host: 'redis', port: 6379, username: 'app', password: 'p@ss', db: 0, tls: false } },
    { url: 'rediss://app:pw@redis.example.com:6390', expected: { host: 'redis.example.com', port: 6390, username: 'app', password: 'pw', tls: true } },
    { url: 'redis://[::1]:6379', expected: { host: '::1', port: 6379, tls: false } },
  ];
  for (const { url, expected } of cases) {
    it(url, () => assert.deepEqual(parseRedisUrl(url), expected));
  }

  it('refuses what is not a Redis URL, or a database that is not a number', () => {
    assert.throws(() => parseRedisUrl('http://redis:6379'), /must start with redis:\/\/ or rediss:\/\//);
    assert.throws(() => parseRedisUrl('redis://redis/zero'), /must be a number, got zero/);
    assert.throws(() => parseRedisUrl('redis:6379'), /must start with redis:\/\//);
    assert.throws(() => parseRedisUrl('not a url'), /REDIS_URL is not a URL/);
  });
});

describe('parseHostPorts', () => {
  it('reads host:port lists, IPv6 in brackets, spaces and empty entries ignored', () => {
    assert.deepEqual(parseHostPorts('REDIS_SENTINELS', 's-0:26379, s-1.example:26380,[::1]:26381,'), [
      { host: 's-0', port: 26379 },
      { host: 's-1.example', port: 26380 },
      { host: '::1', port: 26381 },
    ]);
  });

  it('names the variable and the entry that is not host:port', () => {
    assert.throws(() => parseHostPorts('REDIS_SENTINELS', 's-0'), /REDIS_SENTINELS: "s-0" is not host:port/);
    assert.throws(() => parseHostPorts('REDIS_CLUSTER_NODES', 'a:1,b:99999'), /REDIS_CLUSTER_NODES: "b:99999" is not host:port/);
    assert.throws(() => parseHostPorts('REDIS_SENTINELS', ' , '), /REDIS_SENTINELS is empty/);
  });
});

describe('hashTagOf', () => {
  const cases: [string, string | undefined][] = [
    ['sr', undefined],
    ['{sr}', 'sr'],
    ['team-{sr}-x', 'sr'],
    ['{}sr', undefined], // an empty tag: Redis hashes the whole key
    ['{sr', undefined],
    ['{a}{b}', 'a'], // the first one counts
  ];
  for (const [prefix, tag] of cases) it(`${prefix} -> ${tag}`, () => assert.equal(hashTagOf(prefix), tag));
});

describe('redisAddress', () => {
  const base: RedisSettings = { REDIS_URL: 'redis://127.0.0.1:6379', QUEUE_PREFIX: 'sr' };

  it('one server: the URL and nothing else', () => {
    assert.deepEqual(redisAddress(base), { url: parseRedisUrl(base.REDIS_URL), tlsFiles: { ca: undefined, cert: undefined, key: undefined } });
  });

  it('Sentinel: the sentinels, the master name and their own credentials; REDIS_URL still gives the data nodes credentials', () => {
    const address = redisAddress({
      ...base,
      REDIS_URL: 'redis://app:pw@ignored/3',
      REDIS_SENTINELS: 's-0:26379,s-1:26379',
      REDIS_SENTINEL_MASTER: 'mymaster',
      REDIS_SENTINEL_PASSWORD: 'spw',
    });
    assert.deepEqual(address.sentinel, { sentinels: [{ host: 's-0', port: 26379 }, { host: 's-1', port: 26379 }], master: 'mymaster', password: 'spw' });
    assert.equal(address.url.username, 'app');
    assert.equal(address.url.db, 3);
  });

  it('Cluster: the seed nodes, with a hash-tagged prefix', () => {
    const address = redisAddress({ ...base, QUEUE_PREFIX: '{sr}', REDIS_CLUSTER_NODES: 'n-0:6379,n-1:6379' });
    assert.deepEqual(address.clusterNodes, [{ host: 'n-0', port: 6379 }, { host: 'n-1', port: 6379 }]);
  });
});

describe('redisAddressErrors', () => {
  const base: RedisSettings = { REDIS_URL: 'redis://127.0.0.1:6379', QUEUE_PREFIX: 'sr' };
  const errors = (settings: Partial<RedisSettings>) => redisAddressErrors({ ...base, ...settings });

  it('accepts every supported shape', () => {
    assert.deepEqual(errors({}), []);
    assert.deepEqual(errors({ REDIS_URL: 'rediss://u:p@r:6380', REDIS_TLS_CA_FILE: '/ca.pem', REDIS_TLS_CERT_FILE: '/c.pem', REDIS_TLS_KEY_FILE: '/k.pem' }), []);
    assert.deepEqual(errors({ REDIS_SENTINELS: 's:26379', REDIS_SENTINEL_MASTER: 'm' }), []);
    assert.deepEqual(errors({ REDIS_CLUSTER_NODES: 'n:6379', QUEUE_PREFIX: '{sr}' }), []);
  });

  it('a cluster needs a hash-tagged prefix and database 0', () => {
    assert.deepEqual(errors({ REDIS_CLUSTER_NODES: 'n:6379', REDIS_URL: 'redis://n/2' }), [
      "QUEUE_PREFIX=\"sr\": with REDIS_CLUSTER_NODES it must hold a hash tag, e.g. {sr}, so that every key (the queue's, which BullMQ's scripts use together, and the snapshots') lands in one slot",
      'REDIS_URL: database 2 with REDIS_CLUSTER_NODES; a Redis Cluster has only database 0',
    ]);
  });

  it('Sentinel needs its master name, and excludes Cluster; sentinel settings alone do nothing', () => {
    assert.deepEqual(errors({ REDIS_SENTINELS: 's:26379' }), ['REDIS_SENTINELS needs REDIS_SENTINEL_MASTER, the name the sentinels monitor the master under']);
    assert.match(errors({ REDIS_SENTINELS: 's:1', REDIS_SENTINEL_MASTER: 'm', REDIS_CLUSTER_NODES: 'n:1', QUEUE_PREFIX: '{sr}' }).join(), /exclude each other/);
    assert.deepEqual(errors({ REDIS_SENTINEL_PASSWORD: 'x' }), ['REDIS_SENTINEL_PASSWORD has no effect without REDIS_SENTINELS; set both, or neither']);
  });

  it('TLS files need rediss://, and a client certificate its key', () => {
    assert.deepEqual(errors({ REDIS_TLS_CA_FILE: '/ca.pem' }), ['REDIS_TLS_CA_FILE has no effect with a redis:// REDIS_URL; use rediss:// for TLS']);
    assert.deepEqual(errors({ REDIS_URL: 'rediss://r', REDIS_TLS_CERT_FILE: '/c.pem' }), ['REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE go together (a client certificate and its key)']);
  });

  it('reports every bad list and URL at once', () => {
    assert.equal(errors({ REDIS_URL: 'http://x', REDIS_SENTINELS: 'nope', REDIS_SENTINEL_MASTER: 'm' }).length, 2);
  });
});
