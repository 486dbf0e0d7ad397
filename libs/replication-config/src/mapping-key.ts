import { isDns1035Label, isDns1123Label, type ObjectRef } from '@service-replicator/references';
import type { Direction, Mapping } from './model';

/**
 * The queue key of one replication target: `tenant/direction/namespace/name`. It names the target,
 * not the source, because a target has at most one mapping. '/' separates because no part can
 * contain it; ':' is avoided because BullMQ job ids must not contain it.
 */
export function mappingKey(tenant: string, direction: Direction, target: ObjectRef): string {
  return `${tenant}/${direction}/${target.namespace}/${target.name}`;
}

export function mappingKeyOf(mapping: Mapping): string {
  return mappingKey(mapping.tenant, mapping.direction, mapping.target);
}

export interface MappingKeyParts {
  readonly tenant: string;
  readonly direction: Direction;
  readonly target: ObjectRef;
}

/** The parts of a key made by mappingKey, or undefined for anything else (keys come from Redis). */
export function parseMappingKey(key: string): MappingKeyParts | undefined {
  const parts = key.split('/');
  if (parts.length !== 4) return undefined;
  const [tenant, direction, namespace, name] = parts;
  if (direction !== 'fromHost' && direction !== 'toHost') return undefined;
  if (!isDns1123Label(tenant) || !isDns1123Label(namespace) || !isDns1035Label(name)) return undefined;
  return { tenant, direction, target: { namespace, name } };
}
