import { BullModule, getQueueToken } from '@nestjs/bullmq';
import { type DynamicModule, Inject, Module, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { LeaseStore } from '@service-replicator/leases';
import { LOGGER, Readiness, REDIS_TARGET, Settings, type Logger, type RedisTarget } from '@service-replicator/runtime';
import { MappingStore } from './mapping-store';
import { PodAddressStore } from './pod-address-store';
import { RECONCILE_QUEUE, ReconcileQueue, reconcileQueueOptions, type ReconcileJobData } from './reconcile-queue';
import { redisConnection, type ConnectionRole, type RedisClient } from './redis-connection';
import { ReplicatorRedis } from './replicator-redis';
import { SnapshotStore } from './snapshot-store';
import { StatusStore } from './status-store';

/** BullMQ's connection (BullModule's queue, and in the writer its worker). */
export const QUEUE_CONNECTION = Symbol('QUEUE_CONNECTION');

export interface ReplicatorRedisOptions {
  /** At start, wait for Redis however long it takes, instead of 30 s then exit. */
  readonly waitForRedis?: 'forever';
  /**
   * BullMQ's connection: a producer's (fail fast: an event handler never hangs on a dead Redis), or
   * the writer's worker connection (@nestjs/bullmq makes the worker on the queue's connection, and
   * a worker's must wait out an outage: maxRetriesPerRequest null).
   */
  readonly queueRole?: Extract<ConnectionRole, 'producer' | 'worker'>;
}

/** Its one provider, so BullModule's factory and ReplicatorRedis share the same connection. */
@Module({})
class QueueConnectionModule {
  static forRole(app: string, role: ConnectionRole): DynamicModule {
    const connection: Provider = { provide: QUEUE_CONNECTION, inject: [REDIS_TARGET], useFactory: (target: RedisTarget) => redisConnection(target, role, role === 'producer' ? app : `${app}-${role}`) };
    return { module: QueueConnectionModule, providers: [connection], exports: [QUEUE_CONNECTION] };
  }
}

const fromRedis = <T>(provide: abstract new (...args: never[]) => T, pick: (redis: ReplicatorRedis) => T): Provider => ({
  provide,
  inject: [ReplicatorRedis],
  useFactory: pick,
});

/**
 * The app's Redis side as providers: the reconcile queue (BullModule, `@InjectQueue('reconcile')`
 * or ReconcileQueue to enqueue), the stores (MappingStore, SnapshotStore, StatusStore,
 * PodAddressStore, LeaseStore) and ReplicatorRedis that holds them. Given once Redis answers (an app is not
 * started before it can use its queue and stores); readiness depends on Redis answering. Global,
 * so it closes its connections last, once every app module has stopped its work.
 */
@Module({})
export class ReplicatorRedisModule implements OnApplicationShutdown {
  constructor(@Inject(ReplicatorRedis) private readonly redis: ReplicatorRedis) {}

  static forApp(app: string, options: ReplicatorRedisOptions = {}): DynamicModule {
    const connection = QueueConnectionModule.forRole(app, options.queueRole ?? 'producer');
    return {
      module: ReplicatorRedisModule,
      global: true,
      imports: [
        connection,
        BullModule.forRootAsync({
          imports: [connection],
          inject: [QUEUE_CONNECTION, Settings],
          useFactory: (client: RedisClient, settings: Settings) => reconcileQueueOptions(client, settings.QUEUE_PREFIX),
        }),
        BullModule.registerQueue({ name: RECONCILE_QUEUE }),
      ],
      providers: [
        {
          provide: ReplicatorRedis,
          inject: [REDIS_TARGET, Settings, QUEUE_CONNECTION, getQueueToken(RECONCILE_QUEUE), Readiness, LOGGER],
          useFactory: async (target: RedisTarget, settings: Settings, client: RedisClient, queue: Queue<ReconcileJobData>, readiness: Readiness, logger: Logger) => {
            const redis = new ReplicatorRedis(target, settings.QUEUE_PREFIX, app, { connection: client, queue });
            if (options.waitForRedis === 'forever') await waitForever(redis, logger);
            else await redis.ready();
            readiness.add('redis', () => redis.reachable());
            return redis;
          },
        },
        fromRedis(ReconcileQueue, (redis) => redis.queue),
        fromRedis(MappingStore, (redis) => redis.mappings),
        fromRedis(SnapshotStore, (redis) => redis.snapshots),
        fromRedis(StatusStore, (redis) => redis.statuses),
        fromRedis(PodAddressStore, (redis) => redis.podAddresses),
        fromRedis(LeaseStore, (redis) => redis.leases),
      ],
      exports: [ReplicatorRedis, ReconcileQueue, MappingStore, SnapshotStore, StatusStore, PodAddressStore, LeaseStore, BullModule],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.close();
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
