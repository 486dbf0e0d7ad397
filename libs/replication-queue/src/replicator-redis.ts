import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { LeaseStore, Membership } from '@service-replicator/leases';
import type { RedisTarget } from '@service-replicator/runtime/redis-target';
import { MappingStore } from './mapping-store';
import { PodAddressStore } from './pod-address-store';
import { ReconcileQueue, type ReconcileJobData } from './reconcile-queue';
import { redisConnection, redisReady, type RedisClient } from './redis-connection';
import { SnapshotStore } from './snapshot-store';
import { StatusStore } from './status-store';

/** What the apps hand in (BullModule's queue and its connection); made here when not given. */
export interface ReplicatorRedisParts {
  /** BullMQ's connection: a producer's (fail fast), or in the writer a worker's. */
  readonly connection?: RedisClient;
  /** The reconcile queue on that connection. */
  readonly queue?: Queue<ReconcileJobData>;
}

/**
 * The Redis side every app shares: the queue on one connection (fail-fast unless it is the
 * writer's worker connection), the stores (mappings, snapshots, statuses) on another, auto-pipelined.
 * It owns both connections and closes them.
 */
export class ReplicatorRedis {
  readonly connection: RedisClient;
  readonly storesConnection: RedisClient;
  readonly queue: ReconcileQueue;
  readonly mappings: MappingStore;
  readonly statuses: StatusStore;
  readonly snapshots: SnapshotStore;
  /** Leader election and tenant shards (leases with fencing tokens). */
  readonly leases: LeaseStore;
  readonly podAddresses: PodAddressStore;
  private readonly serverChangeListeners: ((reason: string) => void)[] = [];
  private serverRunId: string | undefined;
  private closing: Promise<void> | undefined;

  /** `target`: `redisTargetOf(settings)` (every REDIS_* setting), or a plain REDIS_URL. */
  constructor(readonly target: RedisTarget | string, readonly prefix: string, app: string, parts: ReplicatorRedisParts = {}) {
    this.connection = parts.connection ?? redisConnection(target, 'producer', app);
    this.storesConnection = redisConnection(target, 'stores', `${app}-stores`);
    // Its failures reach callers as rejected commands; the queue connection is the one apps watch.
    this.storesConnection.on('error', () => undefined);
    this.storesConnection.on('ready', () => void this.noticeServer());
    this.queue = parts.queue ? new ReconcileQueue(parts.queue) : ReconcileQueue.connect(this.connection, prefix);
    this.mappings = new MappingStore(this.storesConnection, prefix);
    this.statuses = new StatusStore(this.storesConnection, prefix);
    this.snapshots = new SnapshotStore(this.storesConnection, prefix);
    this.leases = new LeaseStore(this.storesConnection, prefix);
    this.podAddresses = new PodAddressStore(this.storesConnection, prefix);
  }

  /** The live replicas of an app (for sharding its work). */
  membership(group: string): Membership {
    return new Membership(this.storesConnection, this.prefix, group);
  }

  /**
   * Calls `listener` when the stores' connection, reconnecting, reaches another Redis server than
   * before (a Sentinel failover, a restart): Redis replicates asynchronously, so what the old
   * server took last may not be on this one. Not for a Redis Cluster, whose nodes fail over inside it.
   */
  onServerChange(listener: (reason: string) => void): void {
    this.serverChangeListeners.push(listener);
  }

  private async noticeServer(): Promise<void> {
    if (!(this.storesConnection instanceof Redis)) return;
    const info = await this.storesConnection.info('server').catch(() => '');
    const runId = /^run_id:(\w+)/m.exec(info)?.[1];
    if (!runId) return;
    const previous = this.serverRunId;
    this.serverRunId = runId;
    if (previous === undefined || previous === runId) return;
    for (const listener of this.serverChangeListeners) listener(`Redis server changed (run_id ${previous.slice(0, 8)} -> ${runId.slice(0, 8)})`);
  }

  /** Waits for Redis once at start; after that, commands fail fast while it is unreachable. */
  async ready(timeoutMs?: number): Promise<void> {
    await Promise.all([redisReady(this.connection, timeoutMs), redisReady(this.storesConnection, timeoutMs)]);
  }

  /** Redis answers a PING within `timeoutMs` (readiness); the connection fails fast while it is down. */
  async reachable(timeoutMs = 1_000): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const ping = this.connection.ping().then((reply) => reply === 'PONG', () => false);
    try {
      return await Promise.race([ping, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes the queue and both connections; a second call waits for the first. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.queue.close();
      await Promise.all([this.connection, this.storesConnection].map((connection) => connection.quit().catch(() => connection.disconnect())));
    })();
    return this.closing;
  }
}
