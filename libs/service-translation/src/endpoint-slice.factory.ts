import { createHash } from 'node:crypto';
import type { DiscoveryV1EndpointPort, V1Endpoint, V1EndpointSlice, V1ObjectMeta, V1Service } from '@kubernetes/client-node';
import type { Mapping } from '@service-replicator/replication-config';
import { ownershipAnnotations, ownershipLabels } from './ownership';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const ENDPOINT_SLICE_MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
/** The EndpointSlice controllers skip slices whose managed-by names someone else. */
export const ENDPOINT_SLICE_MANAGED_BY_VALUE = 'service-replicator';
/** The Kubernetes default for maxEndpointsPerSlice, and the API's hard limit per slice. */
export const MAX_ENDPOINTS_PER_SLICE = 1000;

const MAX_NAME_LENGTH = 63;
const HASH_LENGTH = 8;

export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, HASH_LENGTH);
}

/**
 * `<target>-<suffix>`, kept to 63 characters. When the target name is too long its cut is
 * followed by a hash of the whole name, so two long targets sharing a prefix cannot collide.
 */
export function endpointSliceName(targetName: string, suffix: string): string {
  const name = `${targetName}-${suffix}`;
  if (name.length <= MAX_NAME_LENGTH) return name;
  const room = MAX_NAME_LENGTH - suffix.length - HASH_LENGTH - 2;
  return `${targetName.slice(0, room)}-${shortHash(targetName)}-${suffix}`;
}

/** Splits endpoints into slices of at most 1000; the first keeps the base name, later ones add `-<n>`. */
export function chunkEndpoints(baseSuffix: string, endpoints: readonly V1Endpoint[]): [string, V1Endpoint[]][] {
  const chunks: [string, V1Endpoint[]][] = [];
  for (let start = 0; start < endpoints.length; start += MAX_ENDPOINTS_PER_SLICE) {
    const index = start / MAX_ENDPOINTS_PER_SLICE;
    const suffix = index === 0 ? baseSuffix : `${baseSuffix}-${index}`;
    chunks.push([suffix, endpoints.slice(start, start + MAX_ENDPOINTS_PER_SLICE)]);
  }
  return chunks;
}

export interface SliceContent {
  readonly suffix: string;
  readonly addressType: string;
  readonly endpoints: V1Endpoint[];
  readonly ports: DiscoveryV1EndpointPort[];
}

/** Assembles one of our EndpointSlices for the mapping's target Service. */
export function buildEndpointSlice(mapping: Mapping, content: SliceContent): V1EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: endpointSliceName(mapping.target.name, content.suffix),
      namespace: mapping.target.namespace,
      labels: {
        ...ownershipLabels(mapping),
        [SERVICE_NAME_LABEL]: mapping.target.name,
        [ENDPOINT_SLICE_MANAGED_BY_LABEL]: ENDPOINT_SLICE_MANAGED_BY_VALUE,
      },
      annotations: ownershipAnnotations(mapping),
    },
    addressType: content.addressType,
    endpoints: content.endpoints,
    ports: content.ports,
  };
}

export function byName(a: V1EndpointSlice, b: V1EndpointSlice): number {
  const left = a.metadata?.name ?? '';
  const right = b.metadata?.name ?? '';
  return left < right ? -1 : left > right ? 1 : 0;
}

/**
 * The slice (or Endpoints) with an owner reference to the Service it serves: deleting that Service
 * (say, a user replacing our mirror with their own) takes it along, so it can never end up serving a
 * Service we do not manage. Without the Service's uid (not created yet) it is returned as is.
 */
export function ownedBy<T extends { metadata?: V1ObjectMeta }>(object: T, service: V1Service | undefined): T {
  const uid = service?.metadata?.uid;
  const name = service?.metadata?.name;
  if (!uid || !name) return object;
  return { ...object, metadata: { ...object.metadata, ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name, uid }] } };
}
