import type { V1EndpointSlice, V1Endpoints, V1ObjectMeta, V1Service } from '@kubernetes/client-node';
import { formatRef } from '@service-replicator/references';
import type { Direction } from '@service-replicator/replication-config';

export type ObjectKind = 'Service' | 'EndpointSlice' | 'Endpoints';

export type CreateAction =
  | { readonly verb: 'create'; readonly kind: 'Service'; readonly object: V1Service }
  | { readonly verb: 'create'; readonly kind: 'EndpointSlice'; readonly object: V1EndpointSlice }
  | { readonly verb: 'create'; readonly kind: 'Endpoints'; readonly object: V1Endpoints };

export type UpdateAction =
  | { readonly verb: 'update'; readonly kind: 'Service'; readonly object: V1Service }
  | { readonly verb: 'update'; readonly kind: 'EndpointSlice'; readonly object: V1EndpointSlice }
  | { readonly verb: 'update'; readonly kind: 'Endpoints'; readonly object: V1Endpoints };

/** A delete carries the uid and resourceVersion that were read, to be sent as preconditions. */
export interface DeleteAction {
  readonly verb: 'delete';
  readonly kind: ObjectKind;
  readonly namespace: string;
  readonly name: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
}

export type Action = CreateAction | UpdateAction | DeleteAction;

export function deleteAction(kind: ObjectKind, metadata: V1ObjectMeta | undefined): DeleteAction {
  return {
    verb: 'delete',
    kind,
    namespace: metadata?.namespace ?? '',
    name: metadata?.name ?? '',
    ...(metadata?.uid ? { uid: metadata.uid } : {}),
    ...(metadata?.resourceVersion ? { resourceVersion: metadata.resourceVersion } : {}),
  };
}

/** The cluster a direction writes into, for messages: fromHost writes the tenant. */
export function targetCluster(direction: Direction): 'tenant' | 'host' {
  return direction === 'fromHost' ? 'tenant' : 'host';
}

export function sourceCluster(direction: Direction): 'tenant' | 'host' {
  return direction === 'fromHost' ? 'host' : 'tenant';
}

/** e.g. "create tenant EndpointSlice default/web-ipv4". */
export function describeAction(action: Action, direction: Direction): string {
  const ref =
    action.verb === 'delete'
      ? formatRef(action)
      : formatRef({ namespace: action.object.metadata?.namespace ?? '', name: action.object.metadata?.name ?? '' });
  return `${action.verb} ${targetCluster(direction)} ${action.kind} ${ref}`;
}
