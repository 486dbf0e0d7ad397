import { type DynamicModule, Module } from '@nestjs/common';
import { LOGGER, Readiness, redisTargetOf, Settings, type Logger } from '@service-replicator/runtime';
import { ReplicatorRedis } from './replicator-redis';

/**
 * Gives an app its ReplicatorRedis once Redis answers (an app is not started before it can use
 * its queue and stores) and makes readiness depend on Redis answering. Each app closes it in its
 * own shutdown hook, after the work that uses it has stopped.
 */
@Module({})
export class ReplicatorRedisModule {
  /** `waitForRedis: 'forever'`: at start, wait for Redis however long it takes, instead of 30 s then exit. */
  static forApp(app: string, options: { readonly waitForRedis?: 'forever' } = {}): DynamicModule {
    return {
      module: ReplicatorRedisModule,
      providers: [
        {
          provide: ReplicatorRedis,
          inject: [Settings, Readiness, LOGGER],
          useFactory: async (settings: Settings, readiness: Readiness, logger: Logger) => {
            const redis = new ReplicatorRedis(redisTargetOf(settings), settings.QUEUE_PREFIX, app);
            if (options.waitForRedis === 'forever') await waitForever(redis, logger);
            else await redis.ready();
            readiness.add('redis', () => redis.reachable());
            return redis;
          },
        },
      ],
      exports: [ReplicatorRedis],
    };
  }
}

const WAIT_LOG_INTERVAL_MS = 10_000;

/** Waits for Redis as long as it takes, saying every 10 s that it still waits (and how long so far). */
async function waitForever(redis: ReplicatorRedis, logger: Logger): Promise<void> {
  const started = Date.now();
  const timer = setInterval(() => {
    const waitedSeconds = Math.round((Date.now() - started) / 1_000);
    logger.warn({ waitedSeconds }, `still waiting for Redis (${waitedSeconds} s so far); nothing is published until it answers`);
  }, WAIT_LOG_INTERVAL_MS);
  try {
    await redis.ready(Number.POSITIVE_INFINITY);
  } finally {
    clearInterval(timer);
  }
}
