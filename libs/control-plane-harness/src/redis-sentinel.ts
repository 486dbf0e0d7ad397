import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';
import type { ManagedProcess } from './managed-process';
import { answersPing, freePorts, quiet, IN_MEMORY, launchRedis, redisCommand, redisInfo, until, type RedisDeployment } from './redis-process';

export interface SentinelRedis extends RedisDeployment {
  readonly masterName: string;
  /** The ports of the two data servers, the first master first. */
  readonly serverPorts: readonly number[];
  /** A plain connection to one data server (CLIENT LIST, INFO there). */
  connectServer(port: number): Redis;
  /** The port the sentinels name as the master now. */
  masterPort(): Promise<number>;
  /** SENTINEL FAILOVER (a planned switch-over); resolves once every sentinel names the replica master and it answers as one. */
  failover(): Promise<{ readonly from: number; readonly to: number }>;
  /** Resolves once the other server follows the master and the sentinels count it as a good replica (one to fail over to). */
  replicaFollowing(): Promise<void>;
  /** SIGKILL to the master's server; resolves once the sentinels have promoted the replica. */
  killMaster(): Promise<{ readonly from: number; readonly to: number }>;
}

const MASTER_NAME = 'replicator-master';
const PASSWORD = 'data-secret';
const SENTINEL_PASSWORD = 'sentinel-secret';
const SENTINELS = 3;
const PORT_ATTEMPTS = 3;

/**
 * A master and a replica (Debian's redis-server, password on both) watched by three sentinels
 * (`redis-server --sentinel`, quorum 2, with a password of their own), on loopback ports. A master
 * is judged down after 2 s.
 */
export async function startSentinelRedis(): Promise<SentinelRedis> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startSentinelRedisOn(await freePorts(2 + SENTINELS));
    } catch (error) {
      // A port found free can be taken (an outgoing connection's ephemeral port) before redis binds it.
      if (attempt === PORT_ATTEMPTS || !String((error as Error).message).includes('Address already in use')) throw error;
    }
  }
}

async function startSentinelRedisOn([masterPort, replicaPort, ...sentinelPorts]: readonly number[]): Promise<SentinelRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'sr-redis-sentinel-'));
  const servers = new Map<number, ManagedProcess>();
  const sentinels: ManagedProcess[] = [];
  const stop = async () => {
    await Promise.all([...servers.values(), ...sentinels].map((proc) => proc.stop()));
    await rm(dir, { recursive: true, force: true });
  };
  const server = (port: number): RedisOptions => ({ host: '127.0.0.1', port, password: PASSWORD });
  const sentinel = (port: number): RedisOptions => ({ host: '127.0.0.1', port, password: SENTINEL_PASSWORD });
  try {
    for (const [port, master] of [[masterPort, undefined], [replicaPort, masterPort]] as const) {
      const config = [...IN_MEMORY, `port ${port}`, `requirepass ${PASSWORD}`, `masterauth ${PASSWORD}`, ...(master ? [`replicaof 127.0.0.1 ${master}`] : [])];
      servers.set(port, await launchRedis(`redis-${port}`, dir, config, answersPing(server(port))));
    }
    await until('the replica in sync', async () => ((await redisInfo(server(replicaPort), 'replication')).get('master_link_status') === 'up' ? true : undefined));
    for (const port of sentinelPorts) {
      sentinels.push(await launchRedis(`sentinel-${port}`, dir, sentinelConfig(port, masterPort), answersPing(sentinel(port)), true));
    }
    await until('the sentinels know each other and the replica', () => sentinelsAgree(sentinelPorts.map(sentinel), masterPort));
  } catch (error) {
    await stop();
    throw error;
  }

  const masterPortNow = async () => {
    const [, port] = (await redisCommand(sentinel(sentinelPorts[0]), 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME)) as [string, string];
    return Number(port);
  };
  /** Every sentinel names `to`, which answers as master. */
  const switchedTo = async (to: number) => {
    await until(`every sentinel naming 127.0.0.1:${to} master`, async () => {
      const named = await Promise.all(sentinelPorts.map((port) => redisCommand(sentinel(port), 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME)));
      if (!named.every((address) => Number((address as string[])[1]) === to)) return undefined;
      return (await redisInfo(server(to), 'replication')).get('role') === 'master' ? true : undefined;
    });
  };
  const otherThan = (port: number) => (port === masterPort ? replicaPort : masterPort);
  return {
    masterName: MASTER_NAME,
    serverPorts: [masterPort, replicaPort],
    env: {
      // With REDIS_SENTINELS, REDIS_URL gives only the credentials: its host is never dialled.
      REDIS_URL: `redis://:${PASSWORD}@unused.invalid`,
      REDIS_SENTINELS: sentinelPorts.map((port) => `127.0.0.1:${port}`).join(','),
      REDIS_SENTINEL_MASTER: MASTER_NAME,
      REDIS_SENTINEL_PASSWORD: SENTINEL_PASSWORD,
    },
    connect: () =>
      quiet(new Redis({
        sentinels: sentinelPorts.map((port) => ({ host: '127.0.0.1', port })),
        name: MASTER_NAME,
        password: PASSWORD,
        sentinelPassword: SENTINEL_PASSWORD,
        maxRetriesPerRequest: 1,
        reconnectOnError: (error) => (error.message.startsWith('READONLY') ? 2 : false),
      })),
    connectServer: (port) => quiet(new Redis({ ...server(port), maxRetriesPerRequest: 1 })),
    masterPort: masterPortNow,
    failover: async () => {
      const from = await masterPortNow();
      const to = otherThan(from);
      await redisCommand(sentinel(sentinelPorts[0]), 'SENTINEL', 'FAILOVER', MASTER_NAME);
      await switchedTo(to);
      return { from, to };
    },
    replicaFollowing: async () => {
      const master = await masterPortNow();
      const replica = otherThan(master);
      await until('the replica following the master', async () => ((await redisInfo(server(replica), 'replication')).get('master_link_status') === 'up' ? true : undefined));
      await until('the sentinels counting it as a replica', () => sentinelsAgree(sentinelPorts.map(sentinel), master));
    },
    killMaster: async () => {
      const from = await masterPortNow();
      const proc = servers.get(from);
      proc?.killGroup('SIGKILL');
      await proc?.stop(0);
      servers.delete(from);
      const to = otherThan(from);
      await switchedTo(to);
      return { from, to };
    },
    stop,
  };
}

function sentinelConfig(port: number, masterPort: number): string[] {
  return [
    'bind 127.0.0.1',
    `port ${port}`,
    `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${masterPort} 2`,
    `sentinel auth-pass ${MASTER_NAME} ${PASSWORD}`,
    `sentinel down-after-milliseconds ${MASTER_NAME} 2000`,
    // Also how long a sentinel waits before failing the same master over again (twice this).
    `sentinel failover-timeout ${MASTER_NAME} 4000`,
    `requirepass ${SENTINEL_PASSWORD}`,
    // Sentinels talk to each other with the password they require.
    `sentinel sentinel-pass ${SENTINEL_PASSWORD}`,
  ];
}

/** Each sentinel sees the other two and the replica, and names the same master. */
async function sentinelsAgree(sentinels: readonly RedisOptions[], masterPort: number): Promise<true | undefined> {
  for (const options of sentinels) {
    const others = (await redisCommand(options, 'SENTINEL', 'SENTINELS', MASTER_NAME)) as unknown[];
    const replicas = (await redisCommand(options, 'SENTINEL', 'REPLICAS', MASTER_NAME)) as string[][];
    const master = (await redisCommand(options, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME)) as string[];
    const replicaUp = replicas.some((fields) => fields[fields.indexOf('flags') + 1] === 'slave' && fields[fields.indexOf('master-link-status') + 1] === 'ok');
    if (others.length !== sentinels.length - 1 || !replicaUp || Number(master[1]) !== masterPort) return undefined;
  }
  return true;
}
