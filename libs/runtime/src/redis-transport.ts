import type { Type } from '@nestjs/common';
import { ClientRedis, ServerRedis, Transport, type ClientProvider, type ClientProxy, type MicroserviceOptions, type ReadPacket, type RedisOptions } from '@nestjs/microservices';
import { Cluster, type Redis } from 'ioredis';
import type { RedisTarget } from './redis-target';

/** Reconnect forever: without retryAttempts the transport gives up after one lost connection. */
const RECONNECT = { retryAttempts: Number.MAX_SAFE_INTEGER, retryDelay: 1_000 };

type ClusterTarget = Extract<RedisTarget, { mode: 'cluster' }>;

/**
 * The announcement channel's listener (Nest's Redis transport). Its options go to ioredis as they
 * are, so one server and Sentinel need nothing more than our connection options; for a Redis
 * Cluster (which Nest's transport does not know) the same transport runs on an ioredis Cluster.
 */
export function announcementServer(target: RedisTarget): MicroserviceOptions {
  if (target.mode === 'cluster') return { strategy: new ClusterServerRedis(target) };
  return { transport: Transport.REDIS, options: transportOptions(target) };
}

/** The announcement channel's sender (config-watcher), as `ClientsModule` takes it. */
export function announcementClient(target: RedisTarget): ClientProvider {
  // Nest's Type<ClientProxy> has the default status type, which its own ClientRedis does not match.
  if (target.mode === 'cluster') return { customClass: ClusterClientRedis as unknown as Type<ClientProxy>, options: target };
  return { customClass: AnnouncementClientRedis as unknown as Type<ClientProxy>, options: transportOptions(target) };
}

/** An announcement PUBLISH that reached no subscriber. */
export class NoListenerError extends Error {
  constructor(channel: string) {
    super(`no watcher is subscribed to ${channel} yet (still connecting or reconnecting)`);
  }
}

/**
 * Nest's Redis client, except that an event PUBLISH that reached no subscriber fails: after a
 * failover the sender can reconnect (and announce again) a moment before the watchers have
 * subscribed again, and pub/sub would drop that announcement silently. Failed, it is sent again.
 */
class AnnouncementClientRedis extends ClientRedis {
  protected override dispatchEvent<T = unknown>(packet: ReadPacket): Promise<T> {
    const pattern = this.normalizePattern(packet.pattern);
    const serialized = this.serializer.serialize(packet);
    return new Promise((resolve, reject) =>
      this.pubClient.publish(pattern, JSON.stringify(serialized), (error?: Error | null, receivers?: number) => {
        if (error) reject(error);
        else if (!receivers) reject(new NoListenerError(pattern));
        else resolve(undefined as T);
      }),
    );
  }
}

/** Our connection options with the transport's reconnection (it sets its own retryStrategy from these). */
function transportOptions(target: RedisTarget): RedisOptions['options'] {
  const { retryStrategy: _replaced, ...options } = target.options;
  return { ...options, ...RECONNECT };
}

/**
 * Classic pub/sub works across a Redis Cluster (a message published on any node reaches every
 * subscriber), and ioredis's Cluster subscribes again on another node when its node fails.
 * Nest's transport uses only connect, subscribe/publish, quit and the connection events, which
 * Cluster has too; hence the casts.
 */
function clusterClient(target: ClusterTarget, retryStrategy: (times: number) => number | undefined | void): Redis {
  const cluster = new Cluster([...target.nodes], {
    redisOptions: target.options,
    lazyConnect: true,
    clusterRetryStrategy: (times) => {
      const delay = retryStrategy(times);
      return typeof delay === 'number' ? delay : null;
    },
  });
  return cluster as unknown as Redis;
}

class ClusterServerRedis extends ServerRedis {
  constructor(private readonly target: ClusterTarget) {
    super(RECONNECT);
  }

  override createRedisClient(): Redis {
    return clusterClient(this.target, (times) => this.createRetryStrategy(times));
  }
}

class ClusterClientRedis extends AnnouncementClientRedis {
  constructor(private readonly target: ClusterTarget) {
    super(RECONNECT);
  }

  override createClient(): Redis {
    return clusterClient(this.target, (times) => this.createRetryStrategy(times));
  }
}
