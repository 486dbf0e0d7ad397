import { Watch, type KubeConfig, type V1EndpointSlice } from '@kubernetes/client-node';

/** What one watch event left a Service's EndpointSlices serving. */
export interface ServedSample {
  readonly event: string;
  readonly slice: string;
  readonly managedBy: string;
  /** The ready addresses of all the Service's slices after the event, as CoreDNS would answer. */
  readonly served: readonly string[];
}

/**
 * Follows a Service's EndpointSlices with a watch (the API server's own event order, nothing
 * missed between two polls) and records, after every event, the ready addresses they serve
 * together: the name resolves to nothing exactly when a sample's `served` is empty.
 */
export class ServedAddresses {
  readonly samples: ServedSample[] = [];
  private readonly slices = new Map<string, string[]>();
  private failure: unknown;

  static async start(kubeConfig: KubeConfig, namespace: string, service: string): Promise<{ served: ServedAddresses; stop: () => void }> {
    const served = new ServedAddresses();
    const path = `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`;
    const abort = await new Watch(kubeConfig).watch(
      path,
      { labelSelector: `kubernetes.io/service-name=${service}` },
      (phase: string, slice: V1EndpointSlice) => served.record(phase, slice),
      (error: unknown) => {
        if (error && (error as { name?: string }).name !== 'AbortError') served.failure = error;
      },
    );
    return { served, stop: () => abort.abort() };
  }

  /** Throws if the watch ended with an error: a sample list with a hole in it proves nothing. */
  get checked(): readonly ServedSample[] {
    if (this.failure) throw new Error(`the EndpointSlice watch failed: ${String(this.failure)}`);
    return this.samples;
  }

  private record(phase: string, slice: V1EndpointSlice): void {
    if (phase === 'BOOKMARK') return;
    if (phase === 'ERROR') {
      this.failure = slice;
      return;
    }
    const name = slice.metadata?.name ?? '';
    if (phase === 'DELETED') this.slices.delete(name);
    else this.slices.set(name, (slice.endpoints ?? []).filter((e) => e.conditions?.ready !== false).flatMap((e) => e.addresses));
    const managedBy = slice.metadata?.labels?.['endpointslice.kubernetes.io/managed-by'] ?? '';
    this.samples.push({ event: phase, slice: name, managedBy, served: [...new Set([...this.slices.values()].flat())].sort() });
  }
}
