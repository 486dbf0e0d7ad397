import { formatRef, type ObjectRef } from '@service-replicator/references';
import { mappingKeyOf } from './mapping-key';
import type { Mapping } from './model';

/** The host cluster, or one tenant's cluster. */
export type ClusterSide = 'host' | 'tenant';

/**
 * What one side must watch for a set of mappings, and which reconcile keys an observed Service
 * (or one of its EndpointSlices) concerns. On the host: fromHost sources and toHost targets; in a
 * tenant: toHost sources and fromHost targets. Targets are watched so that drift is repaired.
 */
export interface WatchPlan {
  /** Namespaces to watch, sorted. */
  readonly namespaces: readonly string[];
  readonly keys: readonly string[];
  keysFor(service: ObjectRef): readonly string[];
  /** Every key with something to watch in the namespace: what a (re)connect there re-enqueues. */
  keysIn(namespace: string): readonly string[];
}

export function watchPlan(mappings: readonly Mapping[], side: ClusterSide): WatchPlan {
  const byService = new Map<string, string[]>();
  const add = (ref: ObjectRef, key: string) => {
    const id = formatRef(ref);
    byService.set(id, [...(byService.get(id) ?? []), key]);
  };
  for (const mapping of mappings) {
    const key = mappingKeyOf(mapping);
    const sourceHere = (mapping.direction === 'fromHost') === (side === 'host');
    add(sourceHere ? mapping.source : mapping.target, key);
  }
  const namespaces = [...new Set([...byService.keys()].map((id) => id.split('/')[0]))].sort();
  return {
    namespaces,
    keys: mappings.map(mappingKeyOf),
    keysFor: (service) => byService.get(formatRef(service)) ?? [],
    keysIn: (namespace) => [...byService.entries()].filter(([id]) => id.startsWith(`${namespace}/`)).flatMap(([, keys]) => keys),
  };
}
