import type { Direction } from '@service-replicator/replication-config';
import type { RedisClient } from './redis-connection';

export type ReplicationState = 'in-sync' | 'pending' | 'conflict' | 'error' | 'kept';

/** The writer's last word on one key, for the status view and for operators. */
export interface MappingStatus {
  readonly key: string;
  readonly tenant: string;
  readonly direction: Direction;
  /** `host:ns/name` or `tenant:ns/name`; absent once the mapping is removed. */
  readonly source?: string;
  readonly target: string;
  readonly state: ReplicationState;
  readonly message: string;
  /** Last time the target was seen converged. */
  readonly lastSyncAt?: string;
  readonly updatedAt: string;
  readonly traceId?: string;
}

export class StatusStore {
  private readonly key: string;

  constructor(private readonly redis: RedisClient, prefix: string) {
    this.key = `${prefix}:replicator:status`;
  }

  async get(key: string): Promise<MappingStatus | undefined> {
    const raw = await this.redis.hget(this.key, key);
    return raw ? (JSON.parse(raw) as MappingStatus) : undefined;
  }

  async set(status: MappingStatus): Promise<void> {
    await this.redis.hset(this.key, status.key, JSON.stringify(status));
  }

  async remove(key: string): Promise<void> {
    await this.redis.hdel(this.key, key);
  }

  async all(): Promise<MappingStatus[]> {
    const raw = await this.redis.hgetall(this.key);
    return Object.values(raw).map((value) => JSON.parse(value) as MappingStatus);
  }
}
