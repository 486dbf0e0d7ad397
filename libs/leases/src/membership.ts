import type { Cluster, Redis, Result } from 'ioredis';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** Refreshes a member, drops expired ones, and returns the live members. */
    srMembershipBeat(key: string, member: string, ttlMs: string): Result<string[], Context>;
  }
}

/** Redis's clock: expiry never depends on the replicas' clocks agreeing. */
const BEAT = `
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', nowMs)
if ARGV[1] ~= '' then redis.call('ZADD', KEYS[1], nowMs + tonumber(ARGV[2]), ARGV[1]) end
return redis.call('ZRANGE', KEYS[1], 0, -1)`;

/**
 * The live replicas of a group: each one beats (a sorted set scored by its expiry, in Redis time);
 * one that stops beating (SIGKILLed, partitioned) drops out after `ttlMs`.
 */
export class Membership {
  private readonly key: string;

  constructor(private readonly redis: Redis | Cluster, prefix: string, group: string) {
    this.key = `${prefix}:replicator:members:${group}`;
    if (typeof redis.srMembershipBeat !== 'function') redis.defineCommand('srMembershipBeat', { numberOfKeys: 1, lua: BEAT });
  }

  /** Marks `member` alive for `ttlMs` more; the live members, sorted. */
  async beat(member: string, ttlMs: number): Promise<string[]> {
    return (await this.redis.srMembershipBeat(this.key, member, String(ttlMs))).sort();
  }

  /** The live members, without beating. */
  async members(): Promise<string[]> {
    return (await this.redis.srMembershipBeat(this.key, '', '0')).sort();
  }

  async leave(member: string): Promise<void> {
    await this.redis.zrem(this.key, member);
  }
}
