import type { Cluster, Redis, Result } from 'ioredis';

/**
 * A lease held: who holds it and the fencing token it was granted with. The token grows with every
 * grant of the lease (never with a renewal), so a write checked against it can tell the current
 * holder from one that lost the lease and does not know yet.
 */
export interface Lease {
  readonly name: string;
  readonly holder: string;
  readonly token: number;
}

/** A write made only while `lease` is still held: its Redis key, holder and token, checked in the same script. */
export interface Fence {
  readonly key: string;
  readonly holder: string;
  readonly token: number;
}

/** A fenced write was refused: the lease it carried is no longer held by its holder with that token. */
export class FencedError extends Error {
  override readonly name = 'FencedError';
  constructor(readonly fence: Fence) {
    super(`lease ${fence.key} is no longer held by ${fence.holder} with token ${fence.token}; write refused`);
  }
}

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** The token (new or kept), or null when someone else holds the lease. */
    srLeaseAcquire(lease: string, counter: string, holder: string, ttlMs: string): Result<number | null, Context>;
    /** 1 when renewed (still ours with that token), 0 otherwise. */
    srLeaseRenew(lease: string, holder: string, token: string, ttlMs: string): Result<number, Context>;
    srLeaseRelease(lease: string, holder: string, token: string): Result<number, Context>;
  }
}

/**
 * Lua that refuses a write unless KEYS[1] (a lease) is held by ARGV[1] with token ARGV[2]: every
 * fenced script starts with it, so the check and the write are one atomic step.
 */
export const FENCE_CHECK_LUA = `
local function held(key, holder, token)
  local lease = redis.call('HMGET', key, 'holder', 'token')
  return lease[1] == holder and lease[2] == token
end`;

const ACQUIRE = `
local holder = redis.call('HGET', KEYS[1], 'holder')
if holder and holder ~= ARGV[1] then return nil end
if holder then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return tonumber(redis.call('HGET', KEYS[1], 'token'))
end
local token = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], 'holder', ARGV[1], 'token', token)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return token`;

const RENEW = `${FENCE_CHECK_LUA}
if not held(KEYS[1], ARGV[1], ARGV[2]) then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

const RELEASE = `${FENCE_CHECK_LUA}
if not held(KEYS[1], ARGV[1], ARGV[2]) then return 0 end
redis.call('DEL', KEYS[1])
return 1`;

/**
 * Leases in Redis: a lease is a hash (holder, token) that expires unless renewed; its token comes
 * from a counter that outlives it, so each grant has a larger token than the one before. Redis's own
 * clock decides expiry (PEXPIRE), so the replicas' clocks never need to agree.
 */
export class LeaseStore {
  constructor(private readonly redis: Redis | Cluster, private readonly prefix: string) {
    if (typeof redis.srLeaseAcquire === 'function') return;
    redis.defineCommand('srLeaseAcquire', { numberOfKeys: 2, lua: ACQUIRE });
    redis.defineCommand('srLeaseRenew', { numberOfKeys: 1, lua: RENEW });
    redis.defineCommand('srLeaseRelease', { numberOfKeys: 1, lua: RELEASE });
  }

  /** The Redis key of a lease, for scripts that check a fence. */
  key(name: string): string {
    return `${this.prefix}:replicator:lease:${name}`;
  }

  /** Takes the lease if free (or already ours, then it is renewed with its token kept); undefined if someone else holds it. */
  async acquire(name: string, holder: string, ttlMs: number): Promise<Lease | undefined> {
    const token = await this.redis.srLeaseAcquire(this.key(name), `${this.key(name)}:fence`, holder, String(ttlMs));
    return token === null ? undefined : { name, holder, token };
  }

  /** True while the lease is still ours with that token (its expiry pushed out by `ttlMs`). */
  async renew(lease: Lease, ttlMs: number): Promise<boolean> {
    return (await this.redis.srLeaseRenew(this.key(lease.name), lease.holder, String(lease.token), String(ttlMs))) === 1;
  }

  /** Gives the lease up at once (if still ours), so a successor need not wait for it to expire. */
  async release(lease: Lease): Promise<boolean> {
    return (await this.redis.srLeaseRelease(this.key(lease.name), lease.holder, String(lease.token))) === 1;
  }

  /** Who holds the lease now, if anyone. */
  async holderOf(name: string): Promise<{ holder: string; token: number } | undefined> {
    const [holder, token] = await this.redis.hmget(this.key(name), 'holder', 'token');
    return holder && token ? { holder, token: Number(token) } : undefined;
  }

  fenceOf(lease: Lease): Fence {
    return { key: this.key(lease.name), holder: lease.holder, token: lease.token };
  }
}
