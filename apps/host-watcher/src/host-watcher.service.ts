import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ClusterClient, ClusterWatcher, loadKubeConfig, WatcherMetrics } from '@service-replicator/kube';
import { watchPlan, type WatchPlan } from '@service-replicator/replication-config';
import { ReplicatorRedis } from '@service-replicator/replication-queue';
import { LOGGER, MetricsRegistry, Readiness, Settings, type Logger } from '@service-replicator/runtime';

/** Announcements can be missed (pub/sub has no memory): the published mappings are re-read this often. */
const RELOAD_MS = 30_000;

/**
 * Watches the host cluster for every tenant at once: fromHost sources (and their EndpointSlices)
 * and toHost targets (to repair drift).
 */
@Injectable()
export class HostWatcherService implements OnApplicationBootstrap, OnApplicationShutdown {
  private watcher!: ClusterWatcher;
  private plan: WatchPlan = watchPlan([], 'host');
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly settings: Settings,
    private readonly redis: ReplicatorRedis,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly readiness: Readiness,
    private readonly registry: MetricsRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const host = new ClusterClient('host', loadKubeConfig({ file: this.settings.HOST_KUBECONFIG }));
    this.watcher = new ClusterWatcher(host, {
      enqueue: (keys, cause) => this.enqueue(keys, cause),
      informerError: (namespace, resource, error, restartInMs) =>
        this.logger.warn({ namespace, resource, err: error, restartInMs }, `host ${resource} watch in ${namespace} failed; restarting`),
    }, new WatcherMetrics(this.registry));
    this.readiness.add('informers', () => this.watcher.hasSynced);
    await this.reload('start');
    this.timers.push(
      setInterval(() => void this.reload('periodic reload'), RELOAD_MS),
      setInterval(() => void this.enqueue(this.plan.keys, 'resync'), this.settings.RESYNC_INTERVAL_SECONDS * 1000),
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
    await this.redis.close();
  }

  private enqueue(keys: readonly string[], cause: string): Promise<unknown> {
    return this.redis.queue.enqueue(keys, cause).catch((error: unknown) => this.logger.error({ err: error, cause }, 'enqueue failed'));
  }
}
