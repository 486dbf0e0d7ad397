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

/** host and port for Nest's Redis transport, which takes no URL. */
export function redisHostPort(url: string): { host: string; port: number; password?: string; db?: number } {
  const parsed = new URL(url);
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : undefined;
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db,
  };
}
