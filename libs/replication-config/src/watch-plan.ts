import { formatRef, type ObjectRef } from '@service-replicator/references';
import { mappingKeyOf } from './mapping-key';
import type { Mapping } from './model';

/** The host cluster, or one tenant's cluster. */
export type ClusterSide = 'host' | 'tenant';

/** One Service a side watches, and what it is to the mappings: a source, a target, or both. */
export interface WatchedService {
  readonly ref: ObjectRef;
  /** The mappings that read this Service (its changes may change their mirrors). */
  readonly sourceOf: readonly Mapping[];
  /** The keys whose mirror this Service is (its changes are drift, or our own writes echoed). */
  readonly targetOf: readonly string[];
}

/**
 * What one side must watch for a set of mappings, and what an observed Service (or one of its
 * EndpointSlices) is to them. On the host: fromHost sources and toHost targets; in a tenant:
 * toHost sources and fromHost targets. Targets are watched so that drift is repaired.
 */
export interface WatchPlan {
  /** Namespaces to watch, sorted. */
  readonly namespaces: readonly string[];
  readonly keys: readonly string[];
  readonly services: readonly WatchedService[];
  watched(service: ObjectRef): WatchedService | undefined;
  /** Every key a Service concerns, as source or target. */
  keysFor(service: ObjectRef): readonly string[];
  inNamespace(namespace: string): readonly WatchedService[];
}

export function watchPlan(mappings: readonly Mapping[], side: ClusterSide): WatchPlan {
  const byService = new Map<string, { ref: ObjectRef; sourceOf: Mapping[]; targetOf: string[] }>();
  const entry = (ref: ObjectRef) => {
    const id = formatRef(ref);
    let found = byService.get(id);
    if (!found) byService.set(id, (found = { ref, sourceOf: [], targetOf: [] }));
    return found;
  };
  for (const mapping of mappings) {
    const sourceHere = (mapping.direction === 'fromHost') === (side === 'host');
    if (sourceHere) entry(mapping.source).sourceOf.push(mapping);
    else entry(mapping.target).targetOf.push(mappingKeyOf(mapping));
  }
  const services = [...byService.values()];
  const byNamespace = new Map<string, WatchedService[]>();
  for (const service of services) byNamespace.set(service.ref.namespace, [...(byNamespace.get(service.ref.namespace) ?? []), service]);
  return {
    namespaces: [...byNamespace.keys()].sort(),
    keys: mappings.map(mappingKeyOf),
    services,
    watched: (service) => byService.get(formatRef(service)),
    keysFor: (service) => keysOf(byService.get(formatRef(service))),
    inNamespace: (namespace) => byNamespace.get(namespace) ?? [],
  };
}

export function keysOf(service: WatchedService | undefined): string[] {
  return service ? [...service.sourceOf.map(mappingKeyOf), ...service.targetOf] : [];
}
