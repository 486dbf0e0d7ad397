import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ClusterClient, ClusterWatcher, loadKubeConfig, WatcherMetrics } from '@service-replicator/kube';
import { watchPlan } from '@service-replicator/replication-config';
import { HOST_CLUSTER, ReplicatorRedis } from '@service-replicator/replication-queue';
import { LOGGER, MetricsRegistry, Readiness, Settings, type Logger } from '@service-replicator/runtime';

/** Announcements can be missed (pub/sub has no memory): the published mappings are re-read this often. */
const RELOAD_MS = 30_000;

/**
 * Watches the host cluster for every tenant at once: fromHost sources (and their EndpointSlices)
 * and toHost targets (to repair drift), keeping their snapshots for the writer's passes.
 */
@Injectable()
export class HostWatcherService implements OnApplicationBootstrap, OnApplicationShutdown {
  private watcher!: ClusterWatcher;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly settings: Settings,
    private readonly redis: ReplicatorRedis,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly readiness: Readiness,
    private readonly registry: MetricsRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const host = new ClusterClient('host', loadKubeConfig({ file: this.settings.HOST_KUBECONFIG }));
    this.watcher = new ClusterWatcher(host, HOST_CLUSTER, this.redis.snapshots, {
      enqueue: (keys, cause) => this.enqueue(keys, cause),
      informerError: (namespace, resource, error, restartInMs) =>
        this.logger.warn({ namespace, resource, err: error, restartInMs }, `host ${resource} watch in ${namespace} failed; restarting`),
      relisted: (namespace, resource) => this.logger.info({ namespace, resource }, `host ${resource} watch in ${namespace} expired (410 Gone); listed again`),
      snapshotError: (namespace, error) => this.logger.warn({ namespace, err: error }, 'could not write snapshots; retrying'),
    }, new WatcherMetrics(this.registry));
    this.readiness.add('informers', () => this.watcher.healthy);
    await this.reload('start');
    this.timer = setInterval(() => void this.reload('periodic reload'), RELOAD_MS);
  }

  async reload(reason: string): Promise<void> {
    try {
      const published = await this.redis.mappings.all();
      const plan = watchPlan(published.flatMap((tenant) => tenant.mappings), 'host');
      await this.watcher.follow(plan, new Map(published.map((tenant) => [tenant.tenant.name, tenant.tenant])));
      this.logger.debug({ reason, namespaces: plan.namespaces, keys: plan.keys.length }, 'following mappings');
    } catch (error) {
      this.logger.error({ err: error, reason }, 'could not reload the mappings; keeping the current watches');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.watcher?.stop();
    await this.redis.close();
  }

  private enqueue(keys: readonly string[], cause: string): Promise<unknown> {
    return this.redis.queue.enqueue(keys, cause).catch((error: unknown) => this.logger.error({ err: error, cause }, 'enqueue failed'));
  }
}
