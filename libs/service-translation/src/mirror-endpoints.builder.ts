import type { DiscoveryV1EndpointPort, V1EndpointAddress, CoreV1EndpointPort, V1EndpointSlice, V1Endpoints, V1EndpointSubset } from '@kubernetes/client-node';
import type { Mapping } from '@service-replicator/replication-config';
import { byCanonicalJson, canonicalJson, definedMembers } from './canonical-json';
import { ownershipAnnotations, ownershipLabels } from './ownership';
import { normalisedEndpointPort } from './service-ports';

/** The endpoints controller names itself here; the mirroring controller leaves labelled Endpoints alone. */
export const ENDPOINTS_MANAGED_BY_LABEL = 'endpoints.kubernetes.io/managed-by';
export const ENDPOINTS_MANAGED_BY_VALUE = 'service-replicator';
export const ENDPOINTS_CONTROLLER = 'endpoint-controller';
/** Keeps the endpointslice-mirroring controller from copying our Endpoints into slices we already write. */
export const SKIP_MIRROR_LABEL = 'endpointslice.kubernetes.io/skip-mirror';
/** As the endpoints controller does: at most this many addresses, the rest dropped and the object marked. */
export const MAX_ENDPOINTS_ADDRESSES = 1000;
export const OVER_CAPACITY_ANNOTATION = 'endpoints.kubernetes.io/over-capacity';

/**
 * The core/v1 Endpoints of a selector-less mirror (tenant option `endpoints`), for consumers that
 * still read them: the same addresses as the EndpointSlices we write for it, ready ones under
 * `addresses`, the others under `notReadyAddresses`, one subset per port set.
 */
export function buildMirrorEndpoints(mapping: Mapping, slices: readonly V1EndpointSlice[]): V1Endpoints {
  const { subsets, truncated } = subsetsOf(slices);
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: {
      name: mapping.target.name,
      namespace: mapping.target.namespace,
      labels: { ...ownershipLabels(mapping), [ENDPOINTS_MANAGED_BY_LABEL]: ENDPOINTS_MANAGED_BY_VALUE, [SKIP_MIRROR_LABEL]: 'true' },
      annotations: { ...ownershipAnnotations(mapping), ...(truncated ? { [OVER_CAPACITY_ANNOTATION]: 'truncated' } : {}) },
    },
    subsets,
  };
}

interface SubsetDraft {
  readonly ports: CoreV1EndpointPort[];
  readonly ready: Map<string, V1EndpointAddress>;
  readonly notReady: Map<string, V1EndpointAddress>;
}

function subsetsOf(slices: readonly V1EndpointSlice[]): { subsets: V1EndpointSubset[]; truncated: boolean } {
  const drafts = new Map<string, SubsetDraft>();
  for (const slice of slices) {
    const ports = (slice.ports ?? []).map(endpointsPort).sort(byCanonicalJson);
    const key = canonicalJson(ports);
    const draft = drafts.get(key) ?? { ports, ready: new Map(), notReady: new Map() };
    drafts.set(key, draft);
    for (const endpoint of slice.endpoints ?? []) {
      const into = endpoint.conditions?.ready === false ? draft.notReady : draft.ready;
      for (const ip of endpoint.addresses) into.set(ip, definedMembers({ ip, hostname: endpoint.hostname }));
    }
  }
  let room = MAX_ENDPOINTS_ADDRESSES;
  const take = (addresses: Map<string, V1EndpointAddress>): V1EndpointAddress[] => {
    const sorted = [...addresses.values()].sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0)).slice(0, Math.max(room, 0));
    room -= sorted.length;
    return sorted;
  };
  const ordered = [...drafts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, draft]) => draft);
  const total = ordered.reduce((sum, draft) => sum + draft.ready.size + draft.notReady.size, 0);
  // Ready addresses are kept before not-ready ones when there are too many.
  const ready = ordered.map((draft) => take(draft.ready));
  const subsets = ordered
    .map((draft, index) => definedMembers({ addresses: nonEmpty(ready[index]), notReadyAddresses: nonEmpty(take(draft.notReady)), ports: nonEmpty(draft.ports) }))
    .filter((subset) => subset.addresses || subset.notReadyAddresses);
  return { subsets, truncated: total > MAX_ENDPOINTS_ADDRESSES };
}

/** An Endpoints port: a name only when it has one (Endpoints refuse an empty name among several ports). */
function endpointsPort(port: DiscoveryV1EndpointPort): CoreV1EndpointPort {
  const { name, protocol, port: number, appProtocol } = normalisedEndpointPort(port);
  return definedMembers({ name: name || undefined, protocol, port: number ?? 0, appProtocol });
}

function nonEmpty<T>(items: T[]): T[] | undefined {
  return items.length > 0 ? items : undefined;
}
