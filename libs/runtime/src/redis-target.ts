import { accessSync, constants, readFileSync } from 'node:fs';
import type { RedisOptions } from 'ioredis';
import { parseRedisUrl, redisAddress, RedisAddressError, type HostPort, type RedisAddress, type RedisSettings } from './redis-address';

/**
 * How ioredis reaches the deployment: one server or a Sentinel-managed master (`new Redis(options)`),
 * or a Redis Cluster (`new Cluster(nodes, { redisOptions: options })`). Every connection of every
 * app, BullMQ's and the announcement transport's included, is made from this.
 */
export type RedisTarget =
  | { readonly mode: 'server' | 'sentinel'; readonly options: RedisOptions }
  | { readonly mode: 'cluster'; readonly nodes: readonly HostPort[]; readonly options: RedisOptions };

type ReadFile = (path: string) => Buffer;

/** The target of the REDIS_* settings; TLS files are read once, here (a renewed certificate needs a restart). */
export function redisTargetOf(settings: RedisSettings, readFile: ReadFile = readFileSync): RedisTarget {
  return redisTarget(redisAddress(settings), readFile);
}

/** A plain REDIS_URL (tests, tools): one server, or TLS with the system's trusted CAs. */
export function redisTargetOfUrl(url: string): RedisTarget {
  return redisTarget({ url: parseRedisUrl(url), tlsFiles: {} });
}

export function redisTarget(address: RedisAddress, readFile: ReadFile = readFileSync): RedisTarget {
  const { url } = address;
  const tls = url.tls ? tlsOptions(address.tlsFiles, readFile) : undefined;
  const common: RedisOptions = {
    ...(url.username !== undefined && { username: url.username }),
    ...(url.password !== undefined && { password: url.password }),
    ...(tls && { tls }),
    reconnectOnError: reconnectWhenDemoted,
  };
  if (address.clusterNodes) return { mode: 'cluster', nodes: address.clusterNodes, options: common };
  const db = url.db !== undefined ? { db: url.db } : {};
  if (!address.sentinel) return { mode: 'server', options: { host: url.host, port: url.port, ...db, ...common } };
  const { sentinels, master, username, password } = address.sentinel;
  return {
    mode: 'sentinel',
    options: {
      sentinels: sentinels.map(({ host, port }) => ({ host, port })),
      name: master,
      ...(username !== undefined && { sentinelUsername: username }),
      ...(password !== undefined && { sentinelPassword: password }),
      // rediss://: the sentinels are spoken to over TLS too, trusting the same CA.
      ...(tls && { enableTLSForSentinelMode: true, sentinelTLS: tls }),
      ...db,
      ...common,
    },
  };
}

/**
 * A master demoted to a replica (a failover, or an operator's REPLICAOF) answers writes with
 * READONLY until its clients leave: reconnect (through the sentinels, to the new master) and send
 * the command again, instead of failing every write until something else breaks the connection.
 */
function reconnectWhenDemoted(error: Error): 2 | false {
  return error.message.startsWith('READONLY') ? 2 : false;
}

function tlsOptions(files: RedisAddress['tlsFiles'], readFile: ReadFile): NonNullable<RedisOptions['tls']> {
  const read = (variable: string, path: string | undefined) => {
    if (path === undefined) return undefined;
    try {
      return readFile(path);
    } catch (error) {
      throw new RedisAddressError(`${variable}=${path}: cannot be read (${(error as Error).message})`);
    }
  };
  const ca = read('REDIS_TLS_CA_FILE', files.ca);
  const cert = read('REDIS_TLS_CERT_FILE', files.cert);
  const key = read('REDIS_TLS_KEY_FILE', files.key);
  // Without a CA file, the system's trusted CAs (Node's default), as for any rediss:// URL.
  return { ...(ca && { ca }), ...(cert && { cert }), ...(key && { key }) };
}

/** TLS files that are named but cannot be read: refused at start, with the settings' other errors. */
export function unreadableTlsFiles(settings: RedisSettings): string[] {
  const named = [
    ['REDIS_TLS_CA_FILE', settings.REDIS_TLS_CA_FILE],
    ['REDIS_TLS_CERT_FILE', settings.REDIS_TLS_CERT_FILE],
    ['REDIS_TLS_KEY_FILE', settings.REDIS_TLS_KEY_FILE],
  ] as const;
  return named.flatMap(([variable, path]) => {
    if (path === undefined) return [];
    try {
      accessSync(path, constants.R_OK);
      return [];
    } catch (error) {
      return [`${variable}=${JSON.stringify(path)}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`];
    }
  });
}

/** Where the target points, for messages: no credentials. */
export function describeRedisTarget(target: RedisTarget): string {
  const tls = target.options.tls ? ' (TLS)' : '';
  const list = (nodes: readonly { host?: string; port?: number }[]) => nodes.map(({ host, port }) => `${host}:${port}`).join(',');
  if (target.mode === 'cluster') return `Redis Cluster ${list(target.nodes)}${tls}`;
  if (target.mode === 'sentinel') return `master ${target.options.name} of sentinels ${list(target.options.sentinels ?? [])}${tls}`;
  return `Redis ${target.options.host}:${target.options.port}${tls}`;
}
