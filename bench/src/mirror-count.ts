import { ListWatch, Watch, type KubeConfig, type KubernetesListObject, type KubernetesObject, type V1EndpointSlice, type V1Service, CoreV1Api, DiscoveryV1Api } from '@kubernetes/client-node';

/** What a mirror must look like to count: its Service, and a slice whose endpoint is the expected address. */
export interface ExpectedMirror {
  readonly namespace: string;
  readonly name: string;
  readonly address: string;
}

/**
 * Counts, from watches on the target cluster, how many expected mirrors are complete (a Service
 * and an EndpointSlice serving the expected address) and resolves when all are. A watch, not a
 * poll, so the benchmark itself adds no requests while it waits; its watches stay open until
 * `stop()`, so the API server counts them only after the measurement's last reading.
 */
export class MirrorCount {
  private readonly informers: ListWatch<KubernetesObject>[] = [];
  private readonly services = new Set<string>();
  private readonly served = new Set<string>();
  private readonly expected: Map<string, string>;
  private waiter?: () => void;

  private constructor(expected: readonly ExpectedMirror[]) {
    this.expected = new Map(expected.map((mirror) => [`${mirror.namespace}/${mirror.name}`, mirror.address]));
  }

  static async start(kubeConfig: KubeConfig, namespaces: readonly string[], expected: readonly ExpectedMirror[]): Promise<MirrorCount> {
    const count = new MirrorCount(expected);
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const discovery = kubeConfig.makeApiClient(DiscoveryV1Api);
    const watch = new Watch(kubeConfig);
    for (const namespace of namespaces) {
      const services = new ListWatch<V1Service>(`/api/v1/namespaces/${namespace}/services`, watch, () => core.listNamespacedService({ namespace }), false);
      const slices = new ListWatch<V1EndpointSlice>(
        `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`,
        watch,
        () => discovery.listNamespacedEndpointSlice({ namespace }) as Promise<KubernetesListObject<V1EndpointSlice>>,
        false,
      );
      services.on('add', (service) => count.onService(service));
      services.on('delete', (service) => count.services.delete(idOf(service)));
      for (const verb of ['add', 'update'] as const) slices.on(verb, (slice) => count.onSlice(slice));
      await Promise.all([services.start(), slices.start()]);
      count.informers.push(services as ListWatch<KubernetesObject>, slices as ListWatch<KubernetesObject>);
    }
    return count;
  }

  get complete(): number {
    return [...this.services].filter((id) => this.served.has(id)).length;
  }

  /** Resolves once every expected mirror is complete; rejects after `timeoutMs`. */
  all(timeoutMs: number): Promise<void> {
    if (this.complete === this.expected.size) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.complete}/${this.expected.size} mirrors complete after ${timeoutMs} ms`)), timeoutMs);
      this.waiter = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  async stop(): Promise<void> {
    await Promise.all(this.informers.map((informer) => informer.stop()));
  }

  private onService(service: V1Service): void {
    const id = idOf(service);
    if (this.expected.has(id)) this.services.add(id);
    this.check();
  }

  private onSlice(slice: V1EndpointSlice): void {
    const id = `${slice.metadata?.namespace}/${slice.metadata?.labels?.['kubernetes.io/service-name']}`;
    const address = this.expected.get(id);
    if (address && slice.endpoints?.some((endpoint) => endpoint.addresses.includes(address))) this.served.add(id);
    this.check();
  }

  private check(): void {
    if (this.waiter && this.complete === this.expected.size) this.waiter();
  }
}

function idOf(object: KubernetesObject): string {
  return `${object.metadata?.namespace}/${object.metadata?.name}`;
}
