import { CoreV1Api, DiscoveryV1Api, type V1Service } from '@kubernetes/client-node';
import { loadKubeConfig } from '@service-replicator/kube';
import type { Mapping } from '@service-replicator/replication-config';
import { buildTenantEndpointSlices, buildTenantService, ownedBy } from '@service-replicator/service-translation';

/** One mirror to write: the host Service as the API server returned it, and where its mirror goes. */
export interface MirrorJob {
  readonly source: V1Service;
  readonly mapping: Mapping;
}

/**
 * The floor: the same tenant Services and EndpointSlices the writer would make, written straight
 * to the tenant API server with client-node (keep-alive agent, as our writer has), `concurrency`
 * at a time: for each mapping one POST of the Service, then one POST of its slice. No reads, no
 * Redis, no queue: what the work itself costs the API server and this machine.
 */
export async function writeMirrorsDirectly(kubeconfigPath: string, jobs: readonly MirrorJob[], concurrency: number): Promise<void> {
  const kubeConfig = loadKubeConfig({ file: kubeconfigPath });
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const discovery = kubeConfig.makeApiClient(DiscoveryV1Api);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const { source, mapping } = jobs[next++];
      const service = await core.createNamespacedService({ namespace: mapping.target.namespace, body: buildTenantService(source, mapping) });
      for (const slice of buildTenantEndpointSlices(source, [], mapping)) {
        await discovery.createNamespacedEndpointSlice({ namespace: mapping.target.namespace, body: ownedBy(slice, service) });
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
