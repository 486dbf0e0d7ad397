import type { Redis } from 'ioredis';
import { MappingStore } from './mapping-store';
import { PodAddressStore } from './pod-address-store';
import { ReconcileQueue } from './reconcile-queue';
import { redisConnection, redisReady } from './redis-connection';
import { SnapshotStore } from './snapshot-store';
import { StatusStore } from './status-store';

/** The Redis side every app shares: one fail-fast connection, the queue and the stores. */
export class ReplicatorRedis {
  readonly connection: Redis;
  readonly queue: ReconcileQueue;
  readonly mappings: MappingStore;
  readonly statuses: StatusStore;
  readonly snapshots: SnapshotStore;
  readonly podAddresses: PodAddressStore;

  constructor(readonly url: string, readonly prefix: string, app: string) {
    this.connection = redisConnection(url, 'producer', app);
    this.queue = new ReconcileQueue(this.connection, prefix);
    this.mappings = new MappingStore(this.connection, prefix);
    this.statuses = new StatusStore(this.connection, prefix);
    this.snapshots = new SnapshotStore(this.connection, prefix);
    this.podAddresses = new PodAddressStore(this.connection, prefix);
  }

  /** Waits for Redis once at start; after that, commands fail fast while it is unreachable. */
  ready(): Promise<void> {
    return redisReady(this.connection);
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
    await this.connection.quit().catch(() => this.connection.disconnect());
  }
}
