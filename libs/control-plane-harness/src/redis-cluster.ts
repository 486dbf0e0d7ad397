import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { runProcess, type ManagedProcess } from './managed-process';
import { answersPing, freePorts, quiet, IN_MEMORY, launchRedis, parseInfo, redisCommand, until, type RedisDeployment } from './redis-process';

export interface RedisCluster extends RedisDeployment {
  /** The nodes' client ports; each is a master of a third of the slots. */
  readonly ports: readonly number[];
  /** A plain connection to one node (DBSIZE, SCAN, CLUSTER KEYSLOT there). */
  connectNode(port: number): Redis;
}

const PASSWORD = 'cluster-secret';
const NODES = 3;

/**
 * A real 3-node Redis Cluster (Debian's redis-server with `cluster-enabled yes`, password on
 * every node), its slots assigned by `redis-cli --cluster create`, on loopback ports (each node's
 * cluster bus on a free port of its own).
 */
export async function startRedisCluster(): Promise<RedisCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'sr-redis-cluster-'));
  const allPorts = await freePorts(2 * NODES);
  const ports = allPorts.slice(0, NODES);
  const nodes: ManagedProcess[] = [];
  const node = (port: number): RedisOptions => ({ host: '127.0.0.1', port, password: PASSWORD });
  const stop = async () => {
    await Promise.all(nodes.map((proc) => proc.stop()));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (const [index, port] of ports.entries()) {
      const config = [
        ...IN_MEMORY,
        `port ${port}`,
        `cluster-port ${allPorts[NODES + index]}`,
        'cluster-enabled yes',
        `cluster-config-file nodes-${port}.conf`,
        'cluster-node-timeout 5000',
        `requirepass ${PASSWORD}`,
        `masterauth ${PASSWORD}`,
      ];
      nodes.push(await launchRedis(`redis-cluster-${port}`, dir, config, answersPing(node(port))));
    }
    await createCluster(ports);
    await until('every node reporting cluster_state:ok with all nodes known', async () => {
      const infos = await Promise.all(ports.map(async (port) => parseInfo(String(await redisCommand(node(port), 'CLUSTER', 'INFO')))));
      return infos.every((info) => info.get('cluster_state') === 'ok' && info.get('cluster_known_nodes') === String(NODES)) ? true : undefined;
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    ports,
    env: {
      // With REDIS_CLUSTER_NODES, REDIS_URL gives only the credentials: its host is never dialled.
      REDIS_URL: `redis://:${PASSWORD}@unused.invalid`,
      // Two of the three: the third is discovered, as in a cluster where some nodes are unknown to the config.
      REDIS_CLUSTER_NODES: ports.slice(0, 2).map((port) => `127.0.0.1:${port}`).join(','),
    },
    connect: () => quiet(new Cluster(ports.map((port) => ({ host: '127.0.0.1', port })), { redisOptions: { password: PASSWORD, maxRetriesPerRequest: 1 } })),
    connectNode: (port) => quiet(new Redis({ ...node(port), maxRetriesPerRequest: 1 })),
    stop,
  };
}

async function createCluster(ports: readonly number[]): Promise<void> {
  const args = ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes'];
  // REDISCLI_AUTH rather than -a, which redis-cli warns about.
  const result = await runProcess('redis-cli', args, { env: { ...process.env, REDISCLI_AUTH: PASSWORD }, timeoutMs: 60_000 });
  if (result.code !== 0) throw new Error(`redis-cli --cluster create exited ${result.code ?? result.signal}: ${result.stdout}${result.stderr}`);
}
