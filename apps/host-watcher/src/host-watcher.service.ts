import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ClusterClient, ClusterWatcher, loadKubeConfig } from '@service-replicator/kube';
import { watchPlan, type WatchPlan } from '@service-replicator/replication-config';
import { ReplicatorRedis } from '@service-replicator/replication-queue';
import { LOGGER, Settings, type Logger } from '@service-replicator/runtime';

/** Announcements can be missed (pub/sub has no memory): the published mappings are re-read this often. */
const RELOAD_MS = 30_000;

/**
 * Watches the host cluster for every tenant at once: fromHost sources (and their EndpointSlices)
 * and toHost targets (to repair drift).
 */
@Injectable()
export class HostWatcherService implements OnApplicationBootstrap, OnApplicationShutdown {
  private redis!: ReplicatorRedis;
  private watcher!: ClusterWatcher;
  private plan: WatchPlan = watchPlan([], 'host');
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(private readonly settings: Settings, @Inject(LOGGER) private readonly logger: Logger) {}

  async onApplicationBootstrap(): Promise<void> {
    this.redis = new ReplicatorRedis(this.settings.REDIS_URL, this.settings.QUEUE_PREFIX, 'host-watcher');
    await this.redis.ready();
    const host = new ClusterClient('host', loadKubeConfig({ file: this.settings.HOST_KUBECONFIG }));
    this.watcher = new ClusterWatcher(host, {
      enqueue: (keys, cause) => this.enqueue(keys, cause),
      informerError: (namespace, resource, error, restartInMs) =>
        this.logger.warn({ namespace, resource, err: error, restartInMs }, `host ${resource} watch in ${namespace} failed; restarting`),
    });
    await this.reload('start');
    this.timers.push(
      setInterval(() => void this.reload('periodic reload'), RELOAD_MS),
      setInterval(() => this.enqueue(this.plan.keys, 'resync'), this.settings.RESYNC_INTERVAL_SECONDS * 1000),
    );
  }

  async reload(reason: string): Promise<void> {
    try {
      const tenants = await this.redis.mappings.all();
      this.plan = watchPlan(tenants.flatMap((tenant) => tenant.mappings), 'host');
      await this.watcher.follow(this.plan);
      this.logger.debug({ reason, namespaces: this.plan.namespaces, keys: this.plan.keys.length }, 'following mappings');
    } catch (error) {
      this.logger.error({ err: error, reason }, 'could not reload the mappings; keeping the current watches');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.timers.forEach(clearInterval);
    await this.watcher?.stop();
    await this.redis?.close();
  }

  private enqueue(keys: readonly string[], cause: string): void {
    this.redis.queue.enqueue(keys, cause).catch((error: unknown) => this.logger.error({ err: error, cause }, 'enqueue failed'));
  }
}
