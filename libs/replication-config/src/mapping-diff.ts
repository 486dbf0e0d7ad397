import { sameRef } from '@service-replicator/references';
import { mappingKeyOf } from './mapping-key';
import type { Mapping } from './model';

export interface MappingDiff {
  /** Targets that are new, as in `next`. */
  readonly added: Mapping[];
  /** Targets kept but now fed from another source, as in `next`. */
  readonly changed: Mapping[];
  /** Targets no longer configured, as in `previous`. */
  readonly removed: Mapping[];
}

/**
 * What changed between two sets of mappings, matched by mappingKey (tenant, direction, target).
 * Each list keeps the order of the set it comes from. Within one set a key is expected once
 * (the config parser rejects duplicates); if repeated, the last one counts.
 */
export function diffMappings(previous: readonly Mapping[], next: readonly Mapping[]): MappingDiff {
  const before = byKey(previous);
  const after = byKey(next);
  const added: Mapping[] = [];
  const changed: Mapping[] = [];
  for (const [key, mapping] of after) {
    const old = before.get(key);
    if (old === undefined) added.push(mapping);
    else if (!sameRef(old.source, mapping.source)) changed.push(mapping);
  }
  const removed = [...before].filter(([key]) => !after.has(key)).map(([, mapping]) => mapping);
  return { added, changed, removed };
}

function byKey(mappings: readonly Mapping[]): Map<string, Mapping> {
  return new Map(mappings.map((mapping) => [mappingKeyOf(mapping), mapping]));
}
