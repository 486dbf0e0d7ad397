import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { freePort } from './free-port';
import { ManagedProcess, waitUntilReady } from './managed-process';

/**
 * A Redis deployment other than the plain server of `startRedis` (TLS with ACL users, Sentinel,
 * Cluster), as the apps reach it and as a test inspects it.
 */
export interface RedisDeployment {
  /** REDIS_URL and whatever other REDIS_* variables the apps need to reach it. */
  readonly env: Readonly<Record<string, string>>;
  /** A connection with every right (an admin's), for tests to read and check what the apps wrote. */
  connect(): Redis | Cluster;
  stop(): Promise<void>;
}

/**
 * A test's client: its failures reach the test as rejected commands, so the connection's own
 * 'error' events (every refused reconnect during a failover) are not printed as unhandled.
 */
export function quiet<T extends Redis | Cluster>(client: T): T {
  client.on('error', () => undefined);
  return client;
}

/** redis-server options every test server shares: loopback only, in memory only. */
export const IN_MEMORY = ['bind 127.0.0.1', 'save ""', 'appendonly no'];

/**
 * Starts `redis-server` (or a sentinel, with `--sentinel`) from a config file written into `dir`,
 * and waits until `ready` says so. A config file, not arguments: a sentinel rewrites its own.
 */
export async function launchRedis(name: string, dir: string, config: readonly string[], ready: () => Promise<boolean>, sentinel = false): Promise<ManagedProcess> {
  const file = join(dir, `${name}.conf`);
  await writeFile(file, [...config, `dir ${dir}`, ''].join('\n'));
  const proc = new ManagedProcess(name, 'redis-server', [file, ...(sentinel ? ['--sentinel'] : [])], { logFile: join(dir, `${name}.log`) });
  try {
    await waitUntilReady(proc, ready, 30_000);
  } catch (error) {
    await proc.stop();
    throw error;
  }
  return proc;
}

/** One command on a connection of its own that gives up at once; for probes and set-up steps. */
export async function redisCommand(options: RedisOptions, command: string, ...args: (string | number)[]): Promise<unknown> {
  const client = new Redis({ ...options, lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null, connectTimeout: 5_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await client.call(command, ...args);
  } finally {
    client.disconnect();
  }
}

/** The server answers PING on these options (its credentials and TLS included). */
export function answersPing(options: RedisOptions): () => Promise<boolean> {
  return async () => (await redisCommand(options, 'PING').catch(() => undefined)) === 'PONG';
}

/** `INFO section` as field -> value. */
export async function redisInfo(options: RedisOptions, section: string): Promise<Map<string, string>> {
  return parseInfo(String(await redisCommand(options, 'INFO', section)));
}

/** INFO's (and CLUSTER INFO's) `field:value` lines. */
export function parseInfo(text: string): Map<string, string> {
  return new Map(text.split('\r\n').filter((line) => line.includes(':')).map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1)]));
}

/** `count` distinct free loopback ports. */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/** Polls `probe` until it returns a value; fails naming `what` (and the probe's last error) after `timeoutMs`. */
export async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 60_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (last error: ${String(last)})` : ''}`);
}
