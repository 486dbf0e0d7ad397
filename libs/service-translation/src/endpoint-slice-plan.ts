import type { V1EndpointSlice } from '@kubernetes/client-node';
import {
  endpointSliceNeedsUpdate,
  endpointSliceRequiresRecreate,
  mergeEndpointSliceForUpdate,
} from './endpoint-slice-drift';
import { ENDPOINT_SLICE_MANAGED_BY_LABEL, ENDPOINT_SLICE_MANAGED_BY_VALUE } from './endpoint-slice.factory';
import { describeForeignOwner, isOwned, type OwnerKey } from './ownership';
import { deleteAction, type Action } from './reconcile-actions';

export interface EndpointSlicePlan {
  readonly actions: Action[];
  /** Slices that carry one of our names but not our marker; left untouched. */
  readonly conflicts: string[];
}

/**
 * Converges the target's slices on `desired`. Creates and updates come before deletes, so a
 * client never sees the old endpoints gone before the new ones exist. Only slices carrying our
 * ownership marker are ever updated or deleted.
 */
export function planEndpointSlices(
  desired: readonly V1EndpointSlice[],
  actual: readonly V1EndpointSlice[],
  owner: OwnerKey,
): EndpointSlicePlan {
  const actualByName = new Map(actual.map((slice) => [slice.metadata?.name, slice]));
  const writes: Action[] = [];
  const conflicts: string[] = [];
  for (const wanted of desired) {
    const existing = actualByName.get(wanted.metadata?.name);
    if (!existing) writes.push({ verb: 'create', kind: 'EndpointSlice', object: wanted });
    else if (!isOwnedSlice(existing, owner)) conflicts.push(`EndpointSlice ${existing.metadata?.name} ${describeForeignOwner(existing)}`);
    else if (endpointSliceRequiresRecreate(wanted, existing)) writes.push(deleteAction('EndpointSlice', existing.metadata));
    else if (endpointSliceNeedsUpdate(wanted, existing)) {
      writes.push({ verb: 'update', kind: 'EndpointSlice', object: mergeEndpointSliceForUpdate(wanted, existing) });
    }
  }
  return { actions: [...writes, ...staleSliceDeletes(desired, actual, owner)], conflicts };
}

/** Our slices that no desired slice is named after. Slices of other owners are never included. */
function staleSliceDeletes(
  desired: readonly V1EndpointSlice[],
  actual: readonly V1EndpointSlice[],
  owner: OwnerKey,
): Action[] {
  const wantedNames = new Set(desired.map((slice) => slice.metadata?.name));
  return actual
    .filter((slice) => isOwnedSlice(slice, owner) && !wantedNames.has(slice.metadata?.name))
    .map((slice) => deleteAction('EndpointSlice', slice.metadata))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The EndpointSlice controller copies a Service's labels onto the slices it writes for it, so a
 * selector-mode host Service's own slices carry our ownership labels too. Only the slices we
 * write name us in endpointslice.kubernetes.io/managed-by; the controller's name it.
 */
function isOwnedSlice(slice: V1EndpointSlice, owner: OwnerKey): boolean {
  return isOwned(slice, owner) && slice.metadata?.labels?.[ENDPOINT_SLICE_MANAGED_BY_LABEL] === ENDPOINT_SLICE_MANAGED_BY_VALUE;
}
