import { performance } from 'node:perf_hooks';
import { CoreV1Api, Watch, type KubeConfig, type V1Service } from '@kubernetes/client-node';

/** A watch event as it reached us: the object and the moment it arrived (performance.now()). */
export interface Arrival {
  readonly service: V1Service;
  readonly at: number;
}

interface Waiter {
  readonly name: string;
  readonly wanted: (service: V1Service) => boolean;
  readonly resolve: (arrival: Arrival) => void;
  readonly reject: (error: Error) => void;
}

/**
 * Watches the Services of one namespace and resolves waiters the moment an event carrying the
 * wanted state arrives. A watch, not polling: the arrival time is the figure the benchmark reports,
 * so it must not be rounded up to a poll interval.
 */
export class ServiceWatch {
  private readonly latest = new Map<string, V1Service>();
  private waiters: Waiter[] = [];
  private controller?: AbortController;
  private failure?: Error;

  private constructor(private readonly kubeConfig: KubeConfig, readonly namespace: string) {}

  /** Lists first and watches from the list's resourceVersion, so no event falls between the two. */
  static async start(kubeConfig: KubeConfig, namespace: string): Promise<ServiceWatch> {
    const watch = new ServiceWatch(kubeConfig, namespace);
    const list = await kubeConfig.makeApiClient(CoreV1Api).listNamespacedService({ namespace });
    for (const service of list.items) watch.latest.set(service.metadata?.name ?? '', service);
    watch.controller = await new Watch(kubeConfig).watch(
      `/api/v1/namespaces/${namespace}/services`,
      { resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: false },
      (phase, service: V1Service) => watch.onEvent(phase, service),
      (error: unknown) => watch.onDone(error),
    );
    return watch;
  }

  /** The latest state seen of a Service, if it exists. */
  current(name: string): V1Service | undefined {
    return this.latest.get(name);
  }

  /**
   * Resolves with the first event for `name` whose object satisfies `wanted`. Register it before
   * making the change, so the event cannot slip past; an object already in that state resolves now.
   */
  waitFor(name: string, wanted: (service: V1Service) => boolean, timeoutMs: number): Promise<Arrival> {
    if (this.failure) return Promise.reject(this.failure);
    const existing = this.latest.get(name);
    if (existing && wanted(existing)) return Promise.resolve({ service: existing, at: performance.now() });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`${this.namespace}/${name} did not reach the wanted state within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter: Waiter = {
        name,
        wanted,
        resolve: (arrival) => (clearTimeout(timer), resolve(arrival)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      };
      this.waiters.push(waiter);
    });
  }

  stop(): void {
    this.controller?.abort();
    this.controller = undefined;
  }

  private onEvent(phase: string, service: V1Service): void {
    // Taken first, before any bookkeeping, so the figure is the arrival and not our own work.
    const at = performance.now();
    const name = service.metadata?.name ?? '';
    if (phase === 'DELETED') this.latest.delete(name);
    else this.latest.set(name, service);
    if (phase === 'DELETED') return;
    const ready = this.waiters.filter((w) => w.name === name && w.wanted(service));
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const waiter of ready) waiter.resolve({ service, at });
  }

  /** The watch ended: any later waiter would wait for nothing, so fail fast instead. */
  private onDone(error: unknown): void {
    if (!this.controller) return;
    this.failure = new Error(`watch of Services in ${this.namespace} ended: ${error ? String(error) : 'closed by the server'}`);
    for (const waiter of this.waiters) waiter.reject(this.failure);
    this.waiters = [];
  }
}
