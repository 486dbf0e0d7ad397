/** What Nest's Redis transport needs to reach the Redis of REDIS_URL; it takes no URL. */
export interface RedisTransportOptions {
  readonly host: string;
  readonly port: number;
  readonly username?: string;
  readonly password?: string;
  readonly db?: number;
  /** `rediss://`: TLS with the system's trusted CAs, as ioredis does for the same URL. */
  readonly tls?: Record<string, never>;
  /** Reconnect forever: without retryAttempts the transport gives up after one lost connection. */
  readonly retryAttempts: number;
  readonly retryDelay: number;
}

const DEFAULT_PORT = 6379;
const RECONNECT_DELAY_MS = 1_000;

/**
 * The connection REDIS_URL names, in the form of Nest's Redis transport (its options go to
 * ioredis as they are): host, port, username, password, db and TLS for `rediss://`, read the way
 * ioredis reads the same URL for our other connections, so the announcements reach the same Redis.
 */
export function redisTransportOptions(url: string): RedisTransportOptions {
  const parsed = new URL(url);
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new Error(`REDIS_URL must start with redis:// or rediss://, got ${parsed.protocol}//`);
  }
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : undefined;
  if (db !== undefined && !Number.isInteger(db)) throw new Error(`REDIS_URL: the database after the last / must be a number, got ${parsed.pathname.slice(1)}`);
  return {
    // new URL keeps an IPv6 host in brackets; ioredis wants it without.
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : DEFAULT_PORT,
    ...(parsed.username && { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password && { password: decodeURIComponent(parsed.password) }),
    ...(db !== undefined && { db }),
    ...(parsed.protocol === 'rediss:' && { tls: {} }),
    retryAttempts: Number.MAX_SAFE_INTEGER,
    retryDelay: RECONNECT_DELAY_MS,
  };
}
