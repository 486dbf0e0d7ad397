import type { V1Service, V1ServiceSpec } from '@kubernetes/client-node';
import type { Mapping } from '@service-replicator/replication-config';
import { definedMembers } from './canonical-json';
import { ownershipAnnotations, ownershipLabels } from './ownership';
import { copyServicePorts } from './service-ports';
import { serviceShape } from './service-shape';

/** What differs between the two directions' mirrors; everything else is built the same way. */
export interface MirrorShape {
  readonly headless: boolean;
  readonly selector?: Record<string, string>;
}

/**
 * The one place a mirrored Service is assembled, for both directions. Only our own labels and
 * annotation are set: the source's labels and annotations name things in the other cluster
 * (Helm releases, Argo apps, cloud load-balancer settings) and copying them would make tools in
 * the target cluster act on an object they did not create.
 */
export function buildMirroredService(source: V1Service, mapping: Mapping, shape: MirrorShape): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: mapping.target.name,
      namespace: mapping.target.namespace,
      labels: ownershipLabels(mapping),
      annotations: ownershipAnnotations(mapping),
    },
    spec: mirroredSpec(source, shape),
  };
}

function mirroredSpec(source: V1Service, shape: MirrorShape): V1ServiceSpec {
  const ports = copyServicePorts(source.spec?.ports);
  if (serviceShape(source) === 'external-name') {
    return definedMembers({ type: 'ExternalName', externalName: source.spec?.externalName, ports });
  }
  // LoadBalancer and NodePort become ClusterIP: the mirror must not claim node ports or a
  // cloud load balancer in the target cluster, it only has to make the name resolvable.
  return definedMembers({
    type: 'ClusterIP',
    clusterIP: shape.headless ? 'None' : undefined,
    clusterIPs: shape.headless ? ['None'] : undefined,
    ports,
    selector: shape.selector,
  });
}
