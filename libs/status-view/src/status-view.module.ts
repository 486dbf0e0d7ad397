import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ReplicatorRedis } from '@service-replicator/replication-queue';
import { REDIS_TARGET, Settings, type RedisTarget } from '@service-replicator/runtime';
import { QueueBoard } from './queue-board';
import { StatusController } from './status.controller';
import { StatusReader } from './status-reader';
import { STATUS_REDIS } from './status-redis';

/**
 * The status view on the importing app's HTTP server: /status, /status.json and /queues, read
 * through its own StatusReader (the app's settings: Redis, QUEUE_PREFIX, TRACE_UI_URL).
 */
@Module({
  controllers: [StatusController],
  providers: [
    { provide: STATUS_REDIS, inject: [REDIS_TARGET, Settings], useFactory: (target: RedisTarget, settings: Settings) => new ReplicatorRedis(target, settings.QUEUE_PREFIX, 'status-view') },
    { provide: StatusReader, inject: [STATUS_REDIS], useFactory: (redis: ReplicatorRedis) => new StatusReader(redis.mappings, redis.statuses, redis.queue) },
    QueueBoard,
  ],
})
export class StatusViewModule implements OnApplicationShutdown {
  constructor(@Inject(STATUS_REDIS) private readonly redis: ReplicatorRedis) {}

  /** After the HTTP server has closed, so no request is cut off mid-read. */
  async onApplicationShutdown(): Promise<void> {
    await this.redis.close();
  }
}
