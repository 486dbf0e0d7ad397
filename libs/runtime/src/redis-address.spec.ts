import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redisTransportOptions } from './redis-address';

const RECONNECT = { retryAttempts: Number.MAX_SAFE_INTEGER, retryDelay: 1_000 };

describe('redisTransportOptions', () => {
  const cases: { url: string; expected: object }[] = [
    { url: 'redis://127.0.0.1:6379', expected: { host: '127.0.0.1', port: 6379 } },
    { url: 'redis://redis', expected: { host: 'redis', port: 6379 } },
    { url: 'redis://:s3cret@redis:6380/2', expected: { host: 'redis', port: 6380, password: 's3cret', db: 2 } },
    { url: 'redis://app:p%40ss@redis/0', expected: { host: 'redis', port: 6379, username: 'app', password: 'p@ss', db: 0 } },
    { url: 'rediss://app:pw@redis.example.com:6390', expected: { host: 'redis.example.com', port: 6390, username: 'app', password: 'pw', tls: {} } },
    { url: 'redis://[::1]:6379', expected: { host: '::1', port: 6379 } },
  ];
  for (const { url, expected } of cases) {
    it(url, () => assert.deepEqual(redisTransportOptions(url), { ...expected, ...RECONNECT }));
  }

  it('refuses what is not a Redis URL, or a database that is not a number', () => {
    assert.throws(() => redisTransportOptions('http://redis:6379'), /must start with redis:\/\/ or rediss:\/\//);
    assert.throws(() => redisTransportOptions('redis://redis/zero'), /must be a number, got zero/);
  });
});
