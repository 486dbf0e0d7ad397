import type { V1EndpointSlice, V1Endpoints, V1Service } from '@kubernetes/client-node';
import { formatRef, type ObjectRef } from '@service-replicator/references';
import type { Direction, Mapping, TenantSpec } from '@service-replicator/replication-config';
import { planEndpointSlices } from './endpoint-slice-plan';
import { ownedBy } from './endpoint-slice.factory';
import { planEndpoints } from './endpoints-plan';
import { buildHostEndpointSlices } from './host-endpoint-slices.builder';
import { buildHostService } from './host-service.builder';
import { buildMirrorEndpoints } from './mirror-endpoints.builder';
import { describeForeignOwner, isOwned } from './ownership';
import { deleteAction, describeAction, sourceCluster, targetCluster, type Action } from './reconcile-actions';
import { needsUpdate, mergeForUpdate, requiresRecreate } from './service-drift';
import { describeShape, serviceShape } from './service-shape';
import { buildTenantEndpointSlices } from './tenant-endpoint-slices.builder';
import { buildTenantService } from './tenant-service.builder';
import { keepTenantPodAddresses } from './tenant-pod-addresses';
import { effectiveToHostMode } from './to-host-mode';
import { adoptionRefusal, isVClusterMirror, releasedFromVCluster, VCLUSTER_MIRROR_DESCRIPTION } from './vcluster-mirror';

/** What a reconcile request is about: one target Service of one tenant and direction. */
export interface ReconcileKey {
  readonly tenant: string;
  readonly direction: Direction;
  readonly target: ObjectRef;
}

/** Both sides as read at the start of a pass. */
export interface ReconcileInput {
  /** The config entry for the key; absent once it was removed from the config. */
  readonly mapping?: Mapping;
  readonly key: ReconcileKey;
  /** Required for toHost (it chooses selector or endpoints mode); its options (endpoints, adoption) apply to both. */
  readonly tenant?: TenantSpec;
  readonly source?: V1Service;
  /** The source Service's slices (labelled `kubernetes.io/service-name=<source name>`). */
  readonly sourceSlices: readonly V1EndpointSlice[];
  readonly target?: V1Service;
  /** Slices in the target cluster labelled `kubernetes.io/service-name=<target name>`. */
  readonly targetSlices: readonly V1EndpointSlice[];
  /** The core/v1 Endpoints named like the target; read only for tenants with `endpoints` or `adoptVClusterMirrors`. */
  readonly targetEndpoints?: V1Endpoints;
  /**
   * toHost `endpoints` mode: the host IPs of the tenant's own pods (as vCluster synced them to the
   * host). Only these addresses are copied into the host; absent, none is.
   */
  readonly tenantPods?: ReadonlySet<string>;
  /** Why the source may not be replicated at all (the tenant may not read it): ours is removed. */
  readonly refusal?: string;
}

/** `refused`: the mapping may not be replicated (see ReconcilePlan.message); anything of ours goes. */
export type PlanState = 'in-sync' | 'pending' | 'conflict' | 'refused';

/**
 * The decision for one pass. Actions are ordered so that executing only the first one and then
 * planning again converges: the writer does one write per pass and requeues while any remain.
 */
export interface ReconcilePlan {
  readonly state: PlanState;
  readonly message: string;
  readonly actions: readonly Action[];
  /** Addresses of the source's endpoints left out of the mirror: not the tenant's pods. */
  readonly dropped?: readonly string[];
}

interface DesiredState {
  readonly service: V1Service;
  readonly slices: readonly V1EndpointSlice[];
  readonly endpoints?: V1Endpoints;
  readonly dropped: readonly string[];
}

export function planReconcile(input: ReconcileInput): ReconcilePlan {
  if (!input.mapping && input.key.direction === 'toHost') return keptByDesign(input.key);
  const refusal = input.refusal ?? refusedSource(input);
  if (refusal !== undefined) return planRefusal(input, refusal);
  const desired = desiredState(input);
  if (!desired) return planRemoval(input);
  const plan = planConvergence(input, desired);
  return desired.dropped.length > 0 ? withDropped(plan, input, desired.dropped) : plan;
}

/** An ExternalName Service in the host answers DNS with any name the tenant chose: only when allowed. */
function refusedSource(input: ReconcileInput): string | undefined {
  const { mapping, source, tenant } = input;
  if (mapping?.direction !== 'toHost' || !source || serviceShape(source) !== 'external-name' || tenant?.allowExternalName) return undefined;
  return (
    `${sourceLabel(input)} is an ExternalName Service, and tenant "${mapping.tenant}" may not create ExternalName ` +
    'Services in the host (allowExternalName is not set for it in the tenants file)'
  );
}

/** Nothing may be replicated: whatever of ours is there goes, and the reason is the message. */
function planRefusal(input: ReconcileInput, reason: string): ReconcilePlan {
  const { key, target } = input;
  const actions: Action[] = target && isOwned(target, key) ? [deleteAction('Service', target.metadata)] : [];
  actions.push(...planEndpointSlices([], input.targetSlices, key).actions, ...planEndpoints(undefined, input.targetEndpoints, key, false).actions);
  const removing = actions.length > 0 ? `; removing our ${targetLabel(key)} (${actions.length} action(s) pending)` : '';
  return { state: 'refused', message: `${reason}${removing}`, actions };
}

/** Left-out addresses are part of the message whatever the state, so the status shows them. */
function withDropped(plan: ReconcilePlan, input: ReconcileInput, dropped: readonly string[]): ReconcilePlan {
  const shown = dropped.slice(0, MAX_DROPPED_SHOWN).join(', ') + (dropped.length > MAX_DROPPED_SHOWN ? ', ...' : '');
  const note =
    `${dropped.length} endpoint address(es) of ${sourceLabel(input)} are not pods of tenant "${input.key.tenant}" ` +
    `in the host and were left out: ${shown}`;
  return { ...plan, message: `${plan.message}; ${note}`, dropped };
}

const MAX_DROPPED_SHOWN = 10;

/**
 * As with vCluster, removing a toHost entry leaves the host Service in place: other workloads
 * on the host may depend on it, and deleting it is left to a person.
 */
function keptByDesign(key: ReconcileKey): ReconcilePlan {
  const message =
    `mapping removed from config; host Service ${formatRef(key.target)} is kept by design ` +
    '(toHost mirrors are not deleted when their mapping is removed; delete it by hand if unwanted)';
  return { state: 'in-sync', message, actions: [] };
}

function desiredState(input: ReconcileInput): DesiredState | undefined {
  const { mapping, source, tenant } = input;
  if (!mapping || !source) return undefined;
  let desired: DesiredState;
  if (mapping.direction === 'fromHost') {
    desired = { service: buildTenantService(source, mapping), slices: buildTenantEndpointSlices(source, input.sourceSlices, mapping), dropped: [] };
  } else {
    if (!tenant) throw new Error(`toHost mapping of tenant ${mapping.tenant} planned without its TenantSpec`);
    desired = desiredHostState(input, mapping, source, tenant);
  }
  // A selector mirror's Endpoints are the endpoints controller's; an ExternalName has none.
  const writesEndpoints = tenant?.endpoints && !desired.service.spec?.selector && serviceShape(desired.service) !== 'external-name';
  return writesEndpoints ? { ...desired, endpoints: buildMirrorEndpoints(mapping, desired.slices) } : desired;
}

/** In `endpoints` mode only addresses of the tenant's own pods are copied into the host. */
function desiredHostState(input: ReconcileInput, mapping: Mapping, source: V1Service, tenant: TenantSpec): DesiredState {
  const service = buildHostService(source, mapping, tenant);
  if (effectiveToHostMode(mapping, tenant) !== 'endpoints') return { service, slices: [], dropped: [] };
  const own = keepTenantPodAddresses(input.sourceSlices, input.tenantPods ?? new Set());
  return { service, slices: buildHostEndpointSlices(source, own.slices, mapping), dropped: own.dropped };
}

function planConvergence(input: ReconcileInput, desired: DesiredState): ReconcilePlan {
  const { key, target, tenant } = input;
  const mayAdopt = adoptionRefusal(key, tenant) === undefined;
  const adopting = !!target && !isOwned(target, key) && isVClusterMirror(target) && mayAdopt;
  if (target && !isOwned(target, key) && !adopting) return planConflict(input, target);
  const notes: string[] = adopting ? [`adopting the ${targetLabel(key)} vCluster's replicateServices made`] : [];
  const serviceActions: Action[] = [];
  if (!target) {
    serviceActions.push({ verb: 'create', kind: 'Service', object: desired.service });
  } else if (requiresRecreate(desired.service, target)) {
    notes.push(recreateReason(key, desired.service, target));
    serviceActions.push(deleteAction('Service', target.metadata));
    serviceActions.push({ verb: 'create', kind: 'Service', object: desired.service });
  } else if (adopting || needsUpdate(desired.service, target)) {
    const merged = mergeForUpdate(desired.service, target);
    serviceActions.push({ verb: 'update', kind: 'Service', object: adopting ? releasedFromVCluster(merged, key.tenant) : merged });
  }
  // Slices and Endpoints belong to the Service they serve, so the garbage collector removes them with
  // it. A Service still to be created has no uid yet: the writer plans again once it exists.
  const inPlace = serviceActions.length === 0 || serviceActions[0].verb === 'update';
  const owner = inPlace ? target : undefined;
  const slices = planEndpointSlices(desired.slices.map((slice) => ownedBy(slice, owner)), input.targetSlices, key);
  const endpoints = planEndpoints(desired.endpoints && ownedBy(desired.endpoints, owner), input.targetEndpoints, key, mayAdopt);
  // Adopting in place, our slices exist before the Service becomes ours and vCluster's Endpoints go
  // only after: the name never resolves to nothing. Otherwise the Service comes first (it owns them).
  const actions = adopting && inPlace ? [...slices.actions, ...serviceActions, ...endpoints.actions] : [...serviceActions, ...slices.actions, ...endpoints.actions];
  return summarise(key, {
    actions,
    conflicts: [...slices.conflicts, ...endpoints.conflicts].map((conflict) => `${targetCluster(key.direction)} ${conflict}; left untouched`),
    notes,
    idle: `${targetLabel(key)} is in sync with ${sourceLabel(input)}`,
  });
}

/** The target is not ours (and not a vCluster mirror we may adopt): untouched, and what of ours is on it goes. */
function planConflict(input: ReconcileInput, target: V1Service): ReconcilePlan {
  const { key } = input;
  // Our slices or Endpoints on someone else's Service would send its traffic to our endpoints.
  const slices = planEndpointSlices([], input.targetSlices, key).actions;
  const endpoints = planEndpoints(undefined, input.targetEndpoints, key, false).actions;
  const kinds = [slices.length > 0 ? 'EndpointSlices' : '', endpoints.length > 0 ? 'Endpoints' : ''].filter(Boolean);
  const released = kinds.length > 0 ? `; our ${kinds.join(' and ')} on it are deleted` : '';
  const message = isVClusterMirror(target)
    ? `${targetLabel(key)} exists and ${VCLUSTER_MIRROR_DESCRIPTION}; left untouched${released}. ${adoptionRefusal(key, input.tenant) ?? ''}`
    : `${targetLabel(key)} exists and ${describeForeignOwner(target)}; left untouched${released}. ` +
      'To replicate here, delete that Service or give this mapping another target';
  return { state: 'conflict', message, actions: [...slices, ...endpoints] };
}

function recreateReason(key: ReconcileKey, desired: V1Service, actual: V1Service): string {
  const from = describeShape(serviceShape(actual));
  const to = describeShape(serviceShape(desired));
  return `${targetLabel(key)} changes from ${from} to ${to}, which Kubernetes does not allow in place; deleting it first`;
}

/** Source gone or mapping removed: remove what we own, and only that. */
function planRemoval(input: ReconcileInput): ReconcilePlan {
  const { key, target } = input;
  const reason = input.mapping ? `${sourceLabel(input)} does not exist` : 'mapping removed from config';
  const notes = [reason];
  const actions: Action[] = [];
  if (target && isOwned(target, key)) actions.push(deleteAction('Service', target.metadata));
  else if (target) notes.push(`${targetLabel(key)} ${describeForeignOwner(target)}; left untouched`);
  // Our own slices and Endpoints go even when the Service is someone else's: left behind, they would
  // add our endpoints to a Service of the same name that we do not manage.
  actions.push(...planEndpointSlices([], input.targetSlices, key).actions, ...planEndpoints(undefined, input.targetEndpoints, key, false).actions);
  if (actions.length === 0 && !target) notes.push('nothing of ours to delete');
  return summarise(key, { actions, conflicts: [], notes, idle: reason });
}

interface PlanParts {
  readonly actions: Action[];
  /** Objects we would have to change but may not; they make the state `conflict`. */
  readonly conflicts: string[];
  readonly notes: string[];
  /** The message when there is nothing to do and nothing to report. */
  readonly idle: string;
}

function summarise(key: ReconcileKey, parts: PlanParts): ReconcilePlan {
  const { actions, conflicts, notes } = parts;
  const state: PlanState = conflicts.length > 0 ? 'conflict' : actions.length > 0 ? 'pending' : 'in-sync';
  const lines = [...conflicts, ...notes];
  if (actions.length > 0) lines.push(`${actions.length} action(s) pending; next: ${describeAction(actions[0], key.direction)}`);
  return { state, message: lines.length > 0 ? lines.join('; ') : parts.idle, actions };
}

function targetLabel(key: ReconcileKey): string {
  return `${targetCluster(key.direction)} Service ${formatRef(key.target)}`;
}

function sourceLabel(input: ReconcileInput): string {
  const source = input.mapping ? formatRef(input.mapping.source) : '?';
  return `${sourceCluster(input.key.direction)} Service ${source}`;
}
