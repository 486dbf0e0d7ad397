import type { V1Service } from '@kubernetes/client-node';

/**
 * What kind of address a Service has. Kubernetes cannot turn one shape into another in place
 * (clusterIP is immutable, ExternalName has none), so a shape change means delete + create.
 * NodePort and LoadBalancer are the `cluster-ip` shape: they carry a clusterIP too.
 */
export type ServiceShape = 'cluster-ip' | 'headless' | 'external-name';

export function serviceShape(service: V1Service): ServiceShape {
  if (service.spec?.type === 'ExternalName') return 'external-name';
  if (service.spec?.clusterIP === 'None') return 'headless';
  return 'cluster-ip';
}

export function describeShape(shape: ServiceShape): string {
  return { 'cluster-ip': 'ClusterIP', headless: 'headless', 'external-name': 'ExternalName' }[shape];
}
