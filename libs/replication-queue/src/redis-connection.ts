import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { redisTargetOfUrl, type RedisTarget } from '@service-replicator/runtime/redis-target';

/** A connection to one server, a Sentinel-managed master, or a Redis Cluster (REDIS_CLUSTER_NODES). */
export type RedisClient = Redis | Cluster;

export type ConnectionRole = 'worker' | 'producer' | 'stores';

/**
 * worker: blocking commands must wait out a Redis restart or a failover (BullMQ requires
 * maxRetriesPerRequest: null). producer: fail fast, so an event handler never hangs on a dead
 * Redis and the caller can report it (a resync re-enqueues everything once Redis is back).
 * stores: fail fast like a producer, with auto-pipelining.
 * `target`: what the REDIS_* settings describe (`redisTargetOf(settings)`), or a plain REDIS_URL.
 */
export function redisConnection(target: RedisTarget | string, role: ConnectionRole, name?: string): RedisClient {
  const resolved = typeof target === 'string' ? redisTargetOfUrl(target) : target;
  const failFast = role !== 'worker';
  const perRequest: RedisOptions = failFast ? { maxRetriesPerRequest: 1 } : { maxRetriesPerRequest: null };
  // stores: the commands a pass issues together (its mapping, both snapshots, its status) go out
  // in one write and one round trip. Not on BullMQ's connections, where auto-pipelining is not supported.
  const enableAutoPipelining = role === 'stores';
  if (resolved.mode === 'cluster') {
    return new Cluster([...resolved.nodes], {
      redisOptions: { ...resolved.options, ...perRequest, connectionName: name },
      enableOfflineQueue: !failFast,
      enableAutoPipelining,
      lazyConnect: false,
    });
  }
  return new Redis({ ...resolved.options, ...perRequest, enableOfflineQueue: !failFast, connectionName: name, lazyConnect: false, enableAutoPipelining });
}

/**
 * Resolves once the connection is ready. A fail-fast connection refuses commands until then, so
 * every app waits for it once at start (and does not report ready before Redis is reachable).
 * An infinite timeout waits as long as it takes (ioredis keeps reconnecting).
 */
export function redisReady(connection: RedisClient, timeoutMs = 30_000): Promise<void> {
  if (connection.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = Number.isFinite(timeoutMs) ? setTimeout(() => reject(new Error(`Redis not reachable after ${timeoutMs} ms`)), timeoutMs) : undefined;
    connection.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
