import { Redis, type RedisOptions } from 'ioredis';

/**
 * worker: blocking commands must wait out a Redis restart (BullMQ requires
 * maxRetriesPerRequest: null). producer: fail fast, so an event handler never hangs on a dead
 * Redis and the caller can report it (a resync re-enqueues everything once Redis is back).
 * stores: fail fast like a producer, with auto-pipelining.
 */
export function redisConnection(url: string, role: 'worker' | 'producer' | 'stores', name?: string): Redis {
  const options: RedisOptions =
    role === 'worker' ? { maxRetriesPerRequest: null } : { maxRetriesPerRequest: 1, enableOfflineQueue: false };
  // stores: the commands a pass issues together (its mapping, both snapshots, its status) go out
  // in one write and one round trip. Not on BullMQ's connections, where auto-pipelining is not supported.
  return new Redis(url, { ...options, connectionName: name, lazyConnect: false, enableAutoPipelining: role === 'stores' });
}

/**
 * Resolves once the connection is ready. A fail-fast connection refuses commands until then, so
 * every app waits for it once at start (and does not report ready before Redis is reachable).
 * An infinite timeout waits as long as it takes (ioredis keeps reconnecting).
 */
export function redisReady(connection: Redis, timeoutMs = 30_000): Promise<void> {
  if (connection.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = Number.isFinite(timeoutMs) ? setTimeout(() => reject(new Error(`Redis not reachable after ${timeoutMs} ms`)), timeoutMs) : undefined;
    connection.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
