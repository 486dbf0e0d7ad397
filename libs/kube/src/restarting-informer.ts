import { makeInformer, type Informer, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import { exponentialBackoff } from './backoff';

export type InformerVerb = 'add' | 'update' | 'delete';

export interface InformerHandlers<T extends KubernetesObject> {
  /** add, update and delete alike: the reconciler reads fresh state, so only the object's identity matters. */
  readonly onChange: (object: T, verb: InformerVerb) => void;
  /** Every (re)connect: events may have been missed while disconnected, so re-enqueue all keys. */
  readonly onConnect?: () => void;
  readonly onError?: (error: unknown, restartInMs: number) => void;
}

export interface InformerSpec<T extends KubernetesObject> {
  readonly kubeConfig: KubeConfig;
  /** Watch path, e.g. /api/v1/namespaces/shared/services. */
  readonly path: string;
  readonly list: () => Promise<KubernetesListObject<T>>;
  readonly labelSelector?: string;
}

/**
 * client-node's informer lists, watches, relists on 410 Gone, and stops on any other error.
 * This one restarts it with capped exponential backoff until stopped, and counts restarts.
 */
export class RestartingInformer<T extends KubernetesObject> {
  private readonly informer: Informer<T>;
  private readonly backoff = exponentialBackoff({ initialMs: 250, maxMs: 30_000 });
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private synced = false;
  private failed = false;
  restarts = 0;

  constructor(readonly spec: InformerSpec<T>, private readonly handlers: InformerHandlers<T>) {
    this.informer = makeInformer(spec.kubeConfig, spec.path, spec.list, spec.labelSelector);
    for (const verb of ['add', 'update', 'delete'] as const) this.informer.on(verb, (object) => handlers.onChange(object, verb));
    // client-node emits connect before each (re)list and watch, including its own reconnects
    // after a watch times out normally.
    this.informer.on('connect', () => handlers.onConnect?.());
    this.informer.on('error', (error) => {
      this.failed = true;
      this.restartLater(error);
    });
  }

  /** True once a list has been delivered and its watch opened. */
  get hasSynced(): boolean {
    return this.synced;
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.failed = false;
    try {
      // Resolves after the list and the watch request, reporting failures through 'error'.
      await this.informer.start();
    } catch (error) {
      this.failed = true;
      this.restartLater(error);
    }
    if (!this.failed && !this.stopped) {
      this.synced = true;
      this.backoff.reset();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.informer.stop();
  }

  private restartLater(error: unknown): void {
    if (this.stopped || this.timer) return;
    const delay = this.backoff.next();
    this.restarts += 1;
    this.handlers.onError?.(error, delay);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.stopped) void this.start();
    }, delay);
  }
}
