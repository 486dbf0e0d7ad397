import { formatRef } from '@service-replicator/references';
import { mappingKeyOf, parseMappingKey, type Mapping, type TenantSpec } from '@service-replicator/replication-config';
import { describeAction, sourceAnnotationValue, type PlanState } from '@service-replicator/service-translation';
import type { Reconciler } from './reconciler';

/** One key of a dry run: what the first passes would write, in order, and why. */
export interface PlannedKey {
  readonly key: string;
  readonly change: 'added' | 'changed' | 'removed' | 'unchanged';
  readonly source?: string;
  readonly target: string;
  readonly state: PlanState;
  /** e.g. "create tenant Service default/db"; empty when nothing would be written. */
  readonly actions: readonly string[];
  readonly message: string;
}

/**
 * A dry run of putting `next` in force for a tenant whose mappings are now `current`: every key
 * either names is planned against live state by the same code a writer pass uses.
 */
export async function planConfigChange(
  reconciler: Reconciler,
  tenant: TenantSpec,
  current: readonly Mapping[],
  next: readonly Mapping[],
): Promise<PlannedKey[]> {
  const before = new Map(current.map((m) => [mappingKeyOf(m), m]));
  const after = new Map(next.map((m) => [mappingKeyOf(m), m]));
  const keys = [...new Set([...before.keys(), ...after.keys()])].sort();
  return Promise.all(
    keys.map(async (key): Promise<PlannedKey> => {
      const mapping = after.get(key);
      const plan = await reconciler.preview(tenant, key, mapping);
      const parts = parseMappingKey(key);
      const direction = parts?.direction ?? 'fromHost';
      return {
        key,
        change: changeOf(before.get(key), mapping),
        source: mapping ? sourceAnnotationValue(mapping) : undefined,
        target: `${direction === 'fromHost' ? 'tenant' : 'host'}:${parts ? formatRef(parts.target) : key}`,
        state: plan.state,
        actions: plan.actions.map((action) => describeAction(action, direction)),
        message: plan.message,
      };
    }),
  );
}

function changeOf(before: Mapping | undefined, after: Mapping | undefined): PlannedKey['change'] {
  if (!before) return 'added';
  if (!after) return 'removed';
  return formatRef(before.source) === formatRef(after.source) ? 'unchanged' : 'changed';
}
