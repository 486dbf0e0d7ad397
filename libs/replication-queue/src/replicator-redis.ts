import type { Redis } from 'ioredis';
import { MappingStore } from './mapping-store';
import { PodAddressStore } from './pod-address-store';
import { ReconcileQueue } from './reconcile-queue';
import { redisConnection, redisReady } from './redis-connection';
import { SnapshotStore } from './snapshot-store';
import { StatusStore } from './status-store';

/**
 * The Redis side every app shares: the queue on one fail-fast connection, the stores (mappings,
 * snapshots, statuses) on another, auto-pipelined.
 */
export class ReplicatorRedis {
  readonly connection: Redis;
  readonly storesConnection: Redis;
  readonly queue: ReconcileQueue;
  readonly mappings: MappingStore;
  readonly statuses: StatusStore;
  readonly snapshots: SnapshotStore;
  readonly podAddresses: PodAddressStore;

  constructor(readonly url: string, readonly prefix: string, app: string) {
    this.connection = redisConnection(url, 'producer', app);
    this.storesConnection = redisConnection(url, 'stores', `${app}-stores`);
    // Its failures reach callers as rejected commands; the queue connection is the one apps watch.
    this.storesConnection.on('error', () => undefined);
    this.queue = new ReconcileQueue(this.connection, prefix);
    this.mappings = new MappingStore(this.storesConnection, prefix);
    this.statuses = new StatusStore(this.storesConnection, prefix);
    this.snapshots = new SnapshotStore(this.storesConnection, prefix);
    this.podAddresses = new PodAddressStore(this.storesConnection, prefix);
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

  async close(): Promise<void> {
    await this.queue.close();
    await Promise.all([this.connection, this.storesConnection].map((connection) => connection.quit().catch(() => connection.disconnect())));
  }
}
