/** One `host:port` of REDIS_SENTINELS or REDIS_CLUSTER_NODES. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** What REDIS_URL says: where (unless Sentinel or Cluster decide that), who, which database, TLS or not. */
export interface RedisUrlParts extends HostPort {
  readonly username?: string;
  readonly password?: string;
  readonly db?: number;
  /** `rediss://` */
  readonly tls: boolean;
}

/**
 * The Redis deployment the REDIS_* settings describe: one server (REDIS_URL), a Sentinel-managed
 * master (REDIS_SENTINELS + REDIS_SENTINEL_MASTER: REDIS_URL then gives only the credentials, the
 * database and TLS) or a Redis Cluster (REDIS_CLUSTER_NODES: REDIS_URL gives credentials and TLS).
 */
export interface RedisAddress {
  readonly url: RedisUrlParts;
  readonly sentinel?: {
    readonly sentinels: readonly HostPort[];
    readonly master: string;
    readonly username?: string;
    readonly password?: string;
  };
  readonly clusterNodes?: readonly HostPort[];
  /** Paths of PEM files for TLS (`rediss://` only): a CA to trust, a client certificate and its key. */
  readonly tlsFiles: { readonly ca?: string; readonly cert?: string; readonly key?: string };
}

/** The settings the address is made of (a subset of Settings, so this file needs no validation library). */
export interface RedisSettings {
  readonly REDIS_URL: string;
  readonly QUEUE_PREFIX: string;
  readonly REDIS_TLS_CA_FILE?: string;
  readonly REDIS_TLS_CERT_FILE?: string;
  readonly REDIS_TLS_KEY_FILE?: string;
  readonly REDIS_SENTINELS?: string;
  readonly REDIS_SENTINEL_MASTER?: string;
  readonly REDIS_SENTINEL_USERNAME?: string;
  readonly REDIS_SENTINEL_PASSWORD?: string;
  readonly REDIS_CLUSTER_NODES?: string;
}

export class RedisAddressError extends Error {
  override readonly name = 'RedisAddressError';
}

const DEFAULT_PORT = 6379;

/**
 * Reads REDIS_URL the way ioredis reads it for a connection: `redis[s]://[user:password@]host[:port][/db]`
 * (user and password percent-decoded, an IPv6 host without its brackets).
 */
export function parseRedisUrl(url: string): RedisUrlParts {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RedisAddressError('REDIS_URL is not a URL; expected redis://[user:password@]host[:port][/db] or rediss://... for TLS');
  }
  // `redis:6379` parses too (as database 379 on localhost): the slashes are required.
  if ((parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') || !url.startsWith(`${parsed.protocol}//`)) {
    throw new RedisAddressError(`REDIS_URL must start with redis:// or rediss://, got ${url.slice(0, parsed.protocol.length + 2)}`);
  }
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : undefined;
  if (db !== undefined && !Number.isInteger(db)) throw new RedisAddressError(`REDIS_URL: the database after the last / must be a number, got ${parsed.pathname.slice(1)}`);
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : DEFAULT_PORT,
    ...(parsed.username && { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password && { password: decodeURIComponent(parsed.password) }),
    ...(db !== undefined && { db }),
    tls: parsed.protocol === 'rediss:',
  };
}

/** `host:port,host:port` (spaces allowed; `[::1]:26379` for IPv6); every entry needs its port. */
export function parseHostPorts(variable: string, value: string): HostPort[] {
  const entries = value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  if (entries.length === 0) throw new RedisAddressError(`${variable} is empty; expected host:port[,host:port...]`);
  return entries.map((entry) => {
    const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(entry);
    const port = match ? Number(match[3]) : 0;
    if (!match || port < 1 || port > 65_535) throw new RedisAddressError(`${variable}: "${entry}" is not host:port (IPv6 as [addr]:port)`);
    return { host: match[1] ?? match[2], port };
  });
}

/**
 * The prefix's hash tag: Redis Cluster places a key by the part between its first `{` and the next
 * `}` when that part is not empty, so keys that share it share a slot.
 */
export function hashTagOf(prefix: string): string | undefined {
  const open = prefix.indexOf('{');
  const close = open < 0 ? -1 : prefix.indexOf('}', open + 1);
  return close > open + 1 ? prefix.slice(open + 1, close) : undefined;
}

/** The address the settings describe; a combination that cannot work is refused naming the variables. */
export function redisAddress(settings: RedisSettings): RedisAddress {
  const errors = redisAddressErrors(settings);
  if (errors.length > 0) throw new RedisAddressError(errors.join('; '));
  const url = parseRedisUrl(settings.REDIS_URL);
  const tlsFiles = { ca: settings.REDIS_TLS_CA_FILE, cert: settings.REDIS_TLS_CERT_FILE, key: settings.REDIS_TLS_KEY_FILE };
  if (settings.REDIS_CLUSTER_NODES) return { url, clusterNodes: parseHostPorts('REDIS_CLUSTER_NODES', settings.REDIS_CLUSTER_NODES), tlsFiles };
  if (!settings.REDIS_SENTINELS) return { url, tlsFiles };
  const sentinel = {
    sentinels: parseHostPorts('REDIS_SENTINELS', settings.REDIS_SENTINELS),
    master: settings.REDIS_SENTINEL_MASTER ?? '',
    ...(settings.REDIS_SENTINEL_USERNAME && { username: settings.REDIS_SENTINEL_USERNAME }),
    ...(settings.REDIS_SENTINEL_PASSWORD && { password: settings.REDIS_SENTINEL_PASSWORD }),
  };
  return { url, sentinel, tlsFiles };
}

/** Every reason the REDIS_* settings cannot describe a deployment, each naming its variables. */
export function redisAddressErrors(settings: RedisSettings): string[] {
  const errors: string[] = [];
  const attempt = (check: () => void) => {
    try {
      check();
    } catch (error) {
      if (!(error instanceof RedisAddressError)) throw error;
      errors.push(error.message);
    }
  };
  let url: RedisUrlParts | undefined;
  attempt(() => (url = parseRedisUrl(settings.REDIS_URL)));
  if (settings.REDIS_SENTINELS !== undefined) attempt(() => parseHostPorts('REDIS_SENTINELS', settings.REDIS_SENTINELS ?? ''));
  if (settings.REDIS_CLUSTER_NODES !== undefined) attempt(() => parseHostPorts('REDIS_CLUSTER_NODES', settings.REDIS_CLUSTER_NODES ?? ''));
  errors.push(...sentinelErrors(settings), ...clusterErrors(settings, url), ...tlsErrors(settings, url));
  return errors;
}

function sentinelErrors(settings: RedisSettings): string[] {
  const sentinelOnly = (['REDIS_SENTINEL_MASTER', 'REDIS_SENTINEL_USERNAME', 'REDIS_SENTINEL_PASSWORD'] as const).filter((name) => settings[name] !== undefined);
  if (settings.REDIS_SENTINELS === undefined) return sentinelOnly.map((name) => `${name} has no effect without REDIS_SENTINELS; set both, or neither`);
  const errors = settings.REDIS_SENTINEL_MASTER ? [] : ['REDIS_SENTINELS needs REDIS_SENTINEL_MASTER, the name the sentinels monitor the master under'];
  if (settings.REDIS_CLUSTER_NODES !== undefined) errors.push('REDIS_SENTINELS and REDIS_CLUSTER_NODES exclude each other: a Redis Cluster fails over by itself');
  return errors;
}

function clusterErrors(settings: RedisSettings, url: RedisUrlParts | undefined): string[] {
  if (settings.REDIS_CLUSTER_NODES === undefined) return [];
  const errors: string[] = [];
  if (hashTagOf(settings.QUEUE_PREFIX) === undefined) {
    errors.push(
      `QUEUE_PREFIX=${JSON.stringify(settings.QUEUE_PREFIX)}: with REDIS_CLUSTER_NODES it must hold a hash tag, e.g. {${settings.QUEUE_PREFIX || 'sr'}}, ` +
        "so that every key (the queue's, which BullMQ's scripts use together, and the snapshots') lands in one slot",
    );
  }
  if (url?.db !== undefined && url.db !== 0) errors.push(`REDIS_URL: database ${url.db} with REDIS_CLUSTER_NODES; a Redis Cluster has only database 0`);
  return errors;
}

function tlsErrors(settings: RedisSettings, url: RedisUrlParts | undefined): string[] {
  const given = (['REDIS_TLS_CA_FILE', 'REDIS_TLS_CERT_FILE', 'REDIS_TLS_KEY_FILE'] as const).filter((name) => settings[name] !== undefined);
  if (url && !url.tls) return given.map((name) => `${name} has no effect with a redis:// REDIS_URL; use rediss:// for TLS`);
  if ((settings.REDIS_TLS_CERT_FILE === undefined) !== (settings.REDIS_TLS_KEY_FILE === undefined)) {
    return ['REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE go together (a client certificate and its key)'];
  }
  return [];
}
