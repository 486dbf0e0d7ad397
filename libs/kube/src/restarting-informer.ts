import { ListWatch, Watch, type Informer, type KubeConfig, type KubernetesListObject, type KubernetesObject, type ObjectCache } from '@kubernetes/client-node';
import { apiStatus } from './api-error';
import { exponentialBackoff, informerRetryDelayMs } from './backoff';

export type InformerVerb = 'add' | 'update' | 'delete';

export interface InformerHandlers<T extends KubernetesObject> {
  /** add, update and delete; a relist after 410 Gone delivers what changed meanwhile the same way. */
  readonly onChange: (object: T, verb: InformerVerb) => void;
  readonly onError?: (error: unknown, restartInMs: number) => void;
  /**
   * Listed again after the first list: its watch expired (410 Gone, e.g. etcd compacted past the
   * resourceVersion it resumed from after an API server outage). Rare, and a whole LIST each time.
   */
  readonly onRelist?: () => void;
  /** Watching again after failing (its API server was out of reach, say). */
  readonly onRecovered?: () => void;
}

export interface InformerSpec<T extends KubernetesObject> {
  readonly kubeConfig: KubeConfig;
  /** Watch path, e.g. /api/v1/namespaces/shared/services. */
  readonly path: string;
  readonly list: () => Promise<KubernetesListObject<T>>;
  readonly labelSelector?: string;
}

/** An informer failing for longer than this (its restarts keep failing) makes the app not ready. */
export const UNHEALTHY_AFTER_MS = 10_000;

/** client-node's ListWatch as used here: its events, start/stop, its cache and the resourceVersion it reflects. */
export type ListWatchLike<T extends KubernetesObject> = Informer<T> & ObjectCache<T> & { latestResourceVersion(): string };

/** Time as the informer sees it: now, and its restart timer. */
export interface InformerClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
}

const SYSTEM_CLOCK: InformerClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (timer) => clearTimeout(timer as NodeJS.Timeout),
};

/** What a unit test replaces: the clock, and client-node's ListWatch (made from the spec and its counting list). */
export interface InformerSeams<T extends KubernetesObject> {
  readonly clock?: InformerClock;
  readonly listWatch?: (spec: InformerSpec<T>, list: () => Promise<KubernetesListObject<T>>) => ListWatchLike<T>;
}

function clientNodeListWatch<T extends KubernetesObject>(spec: InformerSpec<T>, list: () => Promise<KubernetesListObject<T>>): ListWatchLike<T> {
  return new ListWatch(spec.path, new Watch(spec.kubeConfig), list, false, spec.labelSelector);
}

/**
 * client-node's informer (a ListWatch with a cache) lists, watches, relists on 410 Gone, and stops
 * on any other error. This one restarts it with capped exponential backoff (at most 5 s apart
 * while its API server does not answer) until stopped, keeps its cache across restarts (a restart
 * resumes the watch from the last resourceVersion, so nothing is missed), counts restarts, says
 * whether it is healthy, and says when it watches again after failing.
 */
export class RestartingInformer<T extends KubernetesObject> {
  private readonly informer: ListWatchLike<T>;
  private readonly clock: InformerClock;
  private readonly backoff = exponentialBackoff({ initialMs: 250, maxMs: 30_000 });
  private timer: unknown;
  private stopped = false;
  private synced = false;
  private failingSince: number | undefined;
  private listed = false;
  restarts = 0;

  constructor(readonly spec: InformerSpec<T>, private readonly handlers: InformerHandlers<T>, seams: InformerSeams<T> = {}) {
    this.clock = seams.clock ?? SYSTEM_CLOCK;
    this.informer = (seams.listWatch ?? clientNodeListWatch)(spec, () => this.listCountingRelists());
    for (const verb of ['add', 'update', 'delete'] as const) this.informer.on(verb, (object) => handlers.onChange(object, verb));
    this.informer.on('error', (error: unknown) => this.restartLater(error));
  }

  /** True once a list has been delivered and its watch opened. */
  get hasSynced(): boolean {
    return this.synced;
  }

  /** Synced, and not failing for longer than a restart or two take: an API server that is down shows here. */
  get healthy(): boolean {
    return this.synced && (this.failingSince === undefined || this.clock.now() - this.failingSince < UNHEALTHY_AFTER_MS);
  }

  /** The resourceVersion of the last list or event seen: what the cache reflects. */
  get listVersion(): string {
    return this.informer.latestResourceVersion();
  }

  get(name: string, namespace: string): T | undefined {
    return this.informer.get(name, namespace);
  }

  /** The objects of a namespace; all of them without one. */
  list(namespace?: string): readonly T[] {
    return this.informer.list(namespace);
  }

  /** Resolves once the list is delivered and the watch is open, or once a failure is scheduled for a restart. */
  async start(): Promise<void> {
    this.stopped = false;
    const failuresBefore = this.restarts;
    try {
      await this.informer.start();
    } catch (error) {
      this.restartLater(error);
    }
    if (this.restarts === failuresBefore && !this.stopped) {
      const recovered = this.failingSince !== undefined && this.synced;
      this.synced = true;
      this.failingSince = undefined;
      this.backoff.reset();
      if (recovered) this.handlers.onRecovered?.();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.informer.stop();
  }

  /** client-node calls this for its first list and again only when its watch expired. */
  private async listCountingRelists(): Promise<KubernetesListObject<T>> {
    const result = await this.spec.list();
    if (this.listed) this.handlers.onRelist?.();
    this.listed = true;
    return result;
  }

  private restartLater(error: unknown): void {
    if (this.stopped || this.timer) return;
    this.failingSince ??= this.clock.now();
    const delay = informerRetryDelayMs(apiStatus(error), this.backoff.next());
    this.restarts += 1;
    this.handlers.onError?.(error, delay);
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      if (!this.stopped) void this.start();
    }, delay);
  }
}
