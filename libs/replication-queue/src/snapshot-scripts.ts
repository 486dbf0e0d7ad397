import type { Result } from 'ioredis';
import { FENCE_CHECK_LUA } from '@service-replicator/leases';
import type { RedisClient } from './redis-connection';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    // Each takes the lease key, holder and token of a fence first (holder '' for an unfenced write),
    // and answers -1 when the fence no longer holds (nothing written).
    /** 1 when stored; 0 when the stored version is the same or newer. */
    srSnapshotPut(key: string, fenceKey: string, holder: string, token: string, field: string, value: string): Result<number, Context>;
    /** 1 when the stored object with that uid was removed. */
    srSnapshotDelete(key: string, fenceKey: string, holder: string, token: string, field: string, uid: string): Result<number, Context>;
    /** How many fields changed; the rest of the arguments are field/value pairs. */
    srSnapshotReplace(key: string, fenceKey: string, holder: string, token: string, listVersion: string, ...fieldsAndValues: string[]): Result<number, Context>;
    /** HSET, HDEL or DEL on the keys after the fence key, if the fence holds (-1 otherwise). */
    srFenced(keyCount: number, fenceKey: string, ...keysThenArgs: string[]): Result<number, Context>;
  }
}

/**
 * resourceVersions are etcd revisions: decimal integers that only grow, across all objects. They are
 * compared as numbers written in decimal (longer is larger), which Lua's doubles could not hold.
 * Kubernetes asks clients to treat them as opaque; here a wrong guess could only make a snapshot
 * lag, and every write still carries the precondition the API server checks.
 */
const NEWER = `
local function newer(a, b)
  if #a ~= #b then return #a > #b end
  return a > b
end
local function version(value) return string.match(value, '^(%S*) ') end
local function uid(value) return string.match(value, '^%S* (%S*) ') end
${FENCE_CHECK_LUA}
if ARGV[1] ~= '' and not held(KEYS[2], ARGV[1], ARGV[2]) then return -1 end
`;

const PUT = `${NEWER}
local old = redis.call('HGET', KEYS[1], ARGV[3])
if old and not newer(version(ARGV[4]), version(old)) then return 0 end
redis.call('HSET', KEYS[1], ARGV[3], ARGV[4])
return 1`;

const DELETE = `${NEWER}
local old = redis.call('HGET', KEYS[1], ARGV[3])
if not old or (ARGV[4] ~= '' and uid(old) ~= ARGV[4]) then return 0 end
redis.call('HDEL', KEYS[1], ARGV[3])
return 1`;

const REPLACE = `${NEWER}
local listed, changed = {}, 0
for i = 4, #ARGV, 2 do
  local field, value = ARGV[i], ARGV[i + 1]
  listed[field] = true
  local old = redis.call('HGET', KEYS[1], field)
  if not old or newer(version(value), version(old)) then
    redis.call('HSET', KEYS[1], field, value)
    changed = changed + 1
  end
end
local stored = redis.call('HGETALL', KEYS[1])
for i = 1, #stored, 2 do
  if not listed[stored[i]] and not newer(version(stored[i + 1]), ARGV[3]) then
    redis.call('HDEL', KEYS[1], stored[i])
    changed = changed + 1
  end
end
return changed`;

/** KEYS[1] the fence, KEYS[2..] what is written; ARGV: holder, token, command, its arguments. */
const FENCED = `${FENCE_CHECK_LUA}
if ARGV[1] ~= '' and not held(KEYS[1], ARGV[1], ARGV[2]) then return -1 end
local command = ARGV[3]
if command == 'DEL' then return redis.call('DEL', unpack(KEYS, 2)) end
if command == 'HSET' or command == 'HDEL' then return redis.call(command, KEYS[2], unpack(ARGV, 4)) end
return redis.error_reply('srFenced: unknown command ' .. command)`;

/** Registers the snapshot scripts on a connection (ioredis sends them by SHA, loading them once). */
export function defineSnapshotCommands(redis: RedisClient): void {
  if (typeof redis.srSnapshotPut === 'function') return;
  redis.defineCommand('srSnapshotPut', { numberOfKeys: 2, lua: PUT });
  redis.defineCommand('srSnapshotDelete', { numberOfKeys: 2, lua: DELETE });
  redis.defineCommand('srSnapshotReplace', { numberOfKeys: 2, lua: REPLACE });
  // The caller passes the number of keys (the fence key and one or more written keys).
  redis.defineCommand('srFenced', { lua: FENCED });
}
