// Test fixtures shared by the spec files (not exported from the lib).
import type { V1Endpoint, V1EndpointSlice, V1Endpoints, V1Service, V1ServicePort, V1ServiceSpec } from '@kubernetes/client-node';
import type { Mapping, TenantSpec, ToHostMode } from '@service-replicator/replication-config';

export const fromHostMapping: Mapping = {
  tenant: 'blue',
  direction: 'fromHost',
  source: { namespace: 'db', name: 'postgres' },
  target: { namespace: 'default', name: 'pg' },
};

export const toHostMapping: Mapping = {
  tenant: 'blue',
  direction: 'toHost',
  source: { namespace: 'shop', name: 'web' },
  target: { namespace: 'vc-blue', name: 'blue-web' },
};

export function tenantSpec(toHostMode: ToHostMode = 'selector'): TenantSpec {
  return {
    name: 'blue',
    hostNamespace: 'vc-blue',
    kubeconfig: { file: '/etc/tenants/blue.yaml' },
    allowedHostNamespaces: [],
    config: { file: '/etc/tenants/blue-vcluster.yaml' },
    toHostMode,
  };
}

export const tcp5432: V1ServicePort = { name: 'pg', protocol: 'TCP', port: 5432, targetPort: 5432 };

/** A Service as the API server returns it. */
export function service(namespace: string, name: string, spec: V1ServiceSpec, uid = `uid-${name}`): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace, name, uid, resourceVersion: '100', labels: { app: name }, annotations: { note: 'x' } },
    spec: { type: 'ClusterIP', sessionAffinity: 'None', ...spec },
  };
}

export function endpoint(ip: string, ready = true, extra: Partial<V1Endpoint> = {}): V1Endpoint {
  return { addresses: [ip], conditions: { ready, serving: ready, terminating: false }, ...extra };
}

/** A slice as the EndpointSlice controller writes it for a Service with a selector. */
export function controllerSlice(
  namespace: string,
  serviceName: string,
  name: string,
  endpoints: V1Endpoint[],
  addressType = 'IPv4',
  ports = [{ name: 'pg', protocol: 'TCP', port: 5432 }],
): V1EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      namespace,
      name,
      uid: `uid-${name}`,
      resourceVersion: '7',
      labels: {
        'kubernetes.io/service-name': serviceName,
        'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
      },
    },
    addressType,
    endpoints,
    ports,
  };
}

/** What the API server hands back after storing an object we built: ids and server-set fields. */
export function stored<T extends V1Service | V1EndpointSlice | V1Endpoints>(built: T, uid: string, extraSpec: V1ServiceSpec = {}): T {
  const copy = structuredClone(built);
  copy.metadata = { ...copy.metadata, uid, resourceVersion: '42', managedFields: [{ manager: 'writer' }] };
  if ('spec' in copy && copy.spec) copy.spec = { sessionAffinity: 'None', ...copy.spec, ...extraSpec };
  return copy;
}

/** The label vCluster's own service sync puts on the mirrors it writes. */
export const VCLUSTER_MIRROR_LABELS = { 'vcluster.loft.sh/controlled-by': 'vcluster' };

/** The object with these labels (and other metadata) instead of its own. */
export function labelled<T extends { metadata?: V1Service['metadata'] }>(object: T, labels: Record<string, string>, extra: object = {}): T {
  return { ...object, metadata: { ...object.metadata, labels, ...extra } };
}

/** core/v1 Endpoints as the API server returns them: one subset, one ready address. */
export function endpointsObject(namespace: string, name: string, labels: Record<string, string>, ip: string, port = { name: 'pg', port: 5432, protocol: 'TCP' }): V1Endpoints {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { namespace, name, uid: `uid-endpoints-${name}`, resourceVersion: '9', labels },
    subsets: [{ addresses: [{ ip }], ports: [port] }],
  };
}
