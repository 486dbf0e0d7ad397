import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { ReplicatorRedis } from '@service-replicator/replication-queue';
import { redisTargetOf, Settings } from '@service-replicator/runtime';
import { StatusReader } from './status-reader';

/**
 * The view's own Redis connection (fail-fast, like every producer): a status read must never
 * queue behind, or hold up, the host app's own work, and a page request fails at once while
 * Redis is unreachable rather than hanging.
 */
@Injectable()
export class StatusViewService implements OnApplicationShutdown {
  readonly redis: ReplicatorRedis;
  readonly reader: StatusReader;

  constructor(readonly settings: Settings) {
    this.redis = new ReplicatorRedis(redisTargetOf(settings), settings.QUEUE_PREFIX, 'status-view');
    this.reader = new StatusReader(this.redis.mappings, this.redis.statuses, this.redis.queue);
  }

  /** After the HTTP server has closed, so no request is cut off mid-read. */
  async onApplicationShutdown(): Promise<void> {
    await this.redis.close();
  }
}
