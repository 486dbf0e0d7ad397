import { Redis, type RedisOptions } from 'ioredis';

/**
 * worker: blocking commands must wait out a Redis restart (BullMQ requires
 * maxRetriesPerRequest: null). producer: fail fast, so an event handler never hangs on a dead
 * Redis and the caller can report it (a resync re-enqueues everything once Redis is back).
 */
export function redisConnection(url: string, role: 'worker' | 'producer', name?: string): Redis {
  const options: RedisOptions =
    role === 'worker' ? { maxRetriesPerRequest: null } : { maxRetriesPerRequest: 1, enableOfflineQueue: false };
  return new Redis(url, { ...options, connectionName: name, lazyConnect: false });
}
