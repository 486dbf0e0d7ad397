import type { Direction } from '@service-replicator/replication-config';
import { redactSecrets } from '@service-replicator/redaction';
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
  /** toHost endpoints mode: addresses left out of the host mirror because they are not the tenant's pods. */
  readonly dropped?: readonly string[];
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

  /** The message is redacted and cut (redactSecrets) before it is stored: the status view shows it. */
  async set(status: MappingStatus): Promise<void> {
    await this.redis.hset(this.key, status.key, JSON.stringify({ ...status, message: redactSecrets(status.message) }));
  }

  async remove(key: string): Promise<void> {
    await this.redis.hdel(this.key, key);
  }

  async all(): Promise<MappingStatus[]> {
    const raw = await this.redis.hgetall(this.key);
    return Object.values(raw).map((value) => JSON.parse(value) as MappingStatus);
  }
}
