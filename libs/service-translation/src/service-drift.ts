import type { V1Service, V1ServiceSpec } from '@kubernetes/client-node';
import { canonicalJson } from './canonical-json';
import { managedMetadataDiffers, mergeManagedMetadata } from './managed-metadata';
import { normalisedServicePorts } from './service-ports';
import { serviceShape } from './service-shape';

/**
 * The fields of a Service spec we own, with the API server's defaults filled in. Everything
 * else (an allocated clusterIP, ipFamilies, sessionAffinity defaults, status) is the server's.
 */
function managedSpecView(service: V1Service): unknown {
  const spec = service.spec ?? {};
  const selector = spec.selector && Object.keys(spec.selector).length > 0 ? spec.selector : undefined;
  return {
    type: spec.type ?? 'ClusterIP',
    shape: serviceShape(service),
    ports: normalisedServicePorts(spec.ports),
    selector,
    externalName: spec.type === 'ExternalName' ? spec.externalName : undefined,
  };
}

/** True when what we manage on `actual` differs from `desired`. */
export function needsUpdate(desired: V1Service, actual: V1Service): boolean {
  return (
    canonicalJson(managedSpecView(desired)) !== canonicalJson(managedSpecView(actual)) ||
    managedMetadataDiffers(desired.metadata, actual.metadata)
  );
}

/**
 * True when `actual` cannot be updated into `desired` in place: the clusterIP field is immutable
 * (ClusterIP <-> headless), and we also recreate rather than convert to or from ExternalName.
 */
export function requiresRecreate(desired: V1Service, actual: V1Service): boolean {
  return serviceShape(desired) !== serviceShape(actual);
}

/**
 * The Service to PUT: `actual` as read with our labels, annotation and managed spec fields
 * applied. Spec fields we do not manage are kept from `actual`, so defaults the server filled in
 * (or another controller set) do not flip-flop; when the shape is unchanged its allocated
 * clusterIP, clusterIPs and ipFamilies are kept too, since they are immutable.
 */
export function mergeForUpdate(desired: V1Service, actual: V1Service): V1Service {
  const { status: _status, ...kept } = actual;
  return {
    ...kept,
    apiVersion: actual.apiVersion ?? desired.apiVersion,
    kind: actual.kind ?? desired.kind,
    metadata: mergeManagedMetadata(desired.metadata, actual.metadata),
    spec: mergeSpec(desired, actual),
  };
}

function mergeSpec(desired: V1Service, actual: V1Service): V1ServiceSpec {
  const wanted = desired.spec ?? {};
  const merged: V1ServiceSpec = {
    ...actual.spec,
    type: wanted.type,
    ports: wanted.ports,
    selector: wanted.selector,
    externalName: wanted.externalName,
  };
  if (requiresRecreate(desired, actual)) {
    merged.clusterIP = wanted.clusterIP;
    merged.clusterIPs = wanted.clusterIPs;
    merged.ipFamilies = undefined;
    merged.ipFamilyPolicy = undefined;
  }
  return merged;
}
