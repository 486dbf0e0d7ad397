import { type DynamicModule, Module } from '@nestjs/common';
import { Readiness, Settings } from '@service-replicator/runtime';
import { ReplicatorRedis } from './replicator-redis';

/**
 * Gives an app its ReplicatorRedis once Redis answers (an app is not started before it can use
 * its queue and stores) and makes readiness depend on Redis answering. Each app closes it in its
 * own shutdown hook, after the work that uses it has stopped.
 */
@Module({})
export class ReplicatorRedisModule {
  static forApp(app: string): DynamicModule {
    return {
      module: ReplicatorRedisModule,
      providers: [
        {
          provide: ReplicatorRedis,
          inject: [Settings, Readiness],
          useFactory: async (settings: Settings, readiness: Readiness) => {
            const redis = new ReplicatorRedis(settings.REDIS_URL, settings.QUEUE_PREFIX, app);
            await redis.ready();
            readiness.add('redis', () => redis.reachable());
            return redis;
          },
        },
      ],
      exports: [ReplicatorRedis],
    };
  }
}
