import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { Redis } from 'ioredis';
import { startRedis, type RedisServer } from '@service-replicator/control-plane-harness';
import { LeaseKeeper, LeaseStore, Membership, shardOfMember } from '@service-replicator/leases';
import { serverSuite } from './support/server-suite';
import { eventually } from './support/wait';

/** Leases, fencing tokens and membership against a real redis-server (its own clock decides expiry). */
serverSuite('leases (real Redis)', () => {
  let server: RedisServer;
  let redis: Redis;
  let run = 0;
  const store = () => new LeaseStore(redis, `leases-${++run}`);

  before(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
  });
  after(async () => {
    redis?.disconnect();
    await server?.stop();
  });

  it('grants a free lease with a token that grows with every grant, never to a second holder, and frees it on expiry or release', async () => {
    const leases = store();
    const first = await leases.acquire('x', 'a', 300);
    assert.ok(first);
    assert.equal(await leases.acquire('x', 'b', 300), undefined, 'held by a');
    assert.deepEqual(await leases.acquire('x', 'a', 300), first, 'a again: renewed, same token');
    assert.equal(await leases.renew(first, 300), true);
    const second = await eventually(() => leases.acquire('x', 'b', 300), 5_000, 50);
    assert.ok(second.token > first.token, `token ${second.token} after ${first.token}`);
    assert.equal(await leases.renew(first, 300), false, 'a lost it when it expired');
    assert.equal(await leases.release(first), false, 'a cannot release what b holds');
    assert.equal(await leases.release(second), true);
    const third = await leases.acquire('x', 'a', 300);
    assert.ok(third && third.token > second.token);
  });

  it('a keeper that stops renewing loses its lease to the other within the TTL; the survivor knows it holds it', async () => {
    const leases = store();
    const timing = { ttlMs: 1_000, renewEveryMs: 200 };
    const changes = { a: 0, b: 0 };
    const a = new LeaseKeeper(leases, 'a', timing, () => ['leader'], () => changes.a++);
    const b = new LeaseKeeper(leases, 'b', timing, () => ['leader'], () => changes.b++);
    // a runs one round and never another: a replica SIGKILLed right after taking the lease.
    await a.runRound();
    await b.start();
    try {
      assert.ok(a.held('leader'));
      assert.equal(b.held('leader'), undefined);
      const started = Date.now();
      const lease = await eventually(() => b.held('leader'), 5_000, 20);
      const took = Date.now() - started;
      assert.ok(took <= 1_000 + 2 * 200 + 100, `taken over after ${took} ms`);
      assert.ok(lease.token > (a.held('leader')?.token ?? 0));
      assert.ok(changes.b >= 1);
    } finally {
      await b.stop();
      await a.stop();
    }
  });

  it('a member that stops beating drops out; rendezvous shards give every key to exactly one live member', async () => {
    const prefix = `members-${++run}`;
    const leases = new LeaseStore(redis, prefix);
    const membership = new Membership(redis, prefix, 'tenant-watcher');
    const keys = Array.from({ length: 20 }, (_, i) => `t${i}`);
    const timing = { ttlMs: 1_000, renewEveryMs: 150 };
    const keeper = (member: string) => new LeaseKeeper(leases, member, timing, shardOfMember(membership, member, timing.ttlMs, () => keys), () => undefined);
    const [a, b] = [keeper('a'), keeper('b')];
    await a.start();
    try {
      await eventually(() => (a.heldNames().length === 20 ? true : undefined), 5_000, 20);
      await b.start();
      // b joins: a gives up what rendezvous hashing now gives b, b takes it; never both at once.
      await eventually(() => (a.heldNames().length + b.heldNames().length === 20 && b.heldNames().length > 0 && a.heldNames().length > 0 ? true : undefined), 5_000, 20);
      assert.deepEqual(a.heldNames().filter((key) => b.heldNames().includes(key)), []);
      await a.stop();
      await membership.leave('a');
      await eventually(() => (b.heldNames().length === 20 ? true : undefined), 5_000, 20);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});
