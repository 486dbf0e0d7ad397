import type { V1Service } from '@kubernetes/client-node';
import { apiMessage, apiStatus, type ClusterClient, type ClusterRegistry } from '@service-replicator/kube';
import { formatRef, type ObjectRef } from '@service-replicator/references';
import {
  mappingKeyOf,
  parseMappingKey,
  type Mapping,
  type MappingKeyParts,
  type TenantSpec,
} from '@service-replicator/replication-config';
import type { MappingStore, ReplicationState } from '@service-replicator/replication-queue';
import { effectiveToHostMode, ownershipLabels, planReconcile, type Action, type ReconcilePlan } from '@service-replicator/service-translation';

/** A pass that must not be retried: the same input would fail the same way. */
export class TerminalReconcileError extends Error {
  override readonly name = 'TerminalReconcileError';
}

/** What one pass found and did. */
export interface PassOutcome {
  readonly key: string;
  readonly parts: MappingKeyParts;
  readonly mapping?: Mapping;
  readonly state: ReplicationState;
  readonly message: string;
  /** The one write this pass made, e.g. "create tenant Service default/web". */
  readonly wrote?: string;
  /** The verb and kind of that write (`update Service`, `create Namespace`), for traces. */
  readonly action?: string;
  /** True after a write: the next pass confirms it and makes the next write, if any. */
  readonly requeue: boolean;
  /** The object we may not touch, when state is conflict, and the cluster it lives in. */
  readonly conflict?: { readonly cluster: ClusterClient; readonly object: V1Service };
}

interface Sides {
  readonly source: ClusterClient;
  readonly target: ClusterClient;
}

/**
 * Level-triggered reconcile of one key: read the mapping, the source and the target fresh,
 * plan (pure), and make at most one write. Never trusts anything the event carried.
 */
export class Reconciler {
  constructor(private readonly clusters: ClusterRegistry, private readonly mappings: MappingStore) {}

  async reconcile(key: string): Promise<PassOutcome> {
    const parts = parseMappingKey(key);
    if (!parts) throw new TerminalReconcileError(`"${key}" is not a reconcile key (tenant/direction/namespace/name)`);
    const published = await this.mappings.get(parts.tenant);
    if (!published) {
      // Without the tenant's spec its cluster cannot be reached; nothing can be done or undone.
      return { key, parts, state: 'error', message: `tenant ${parts.tenant} is not configured`, requeue: false };
    }
    const mapping = published.mappings.find((m) => mappingKeyOf(m) === key);
    const sides = await this.sides(parts, published.tenant);
    const { plan, sourceExists, target } = await this.plan(parts, published.tenant, mapping, sides);
    const base = { key, parts, mapping, message: plan.message };
    if (plan.state === 'conflict') {
      // The Warning Event goes on the target as this pass read it.
      return { ...base, state: 'conflict', requeue: false, conflict: target && { cluster: sides.target, object: target } };
    }
    const [action] = plan.actions;
    if (!action) return { ...base, state: idleState(mapping, sourceExists, parts), requeue: false };
    const { wrote, done } = await this.execute(action, parts, sides.target);
    return { ...base, state: 'pending', wrote, action: done, requeue: true };
  }

  /**
   * What a pass for `key` would do if `mapping` were in force (undefined: its entry removed),
   * reading both sides exactly as a pass does and writing nothing. The CLI's `plan` uses it.
   */
  async preview(tenant: TenantSpec, key: string, mapping: Mapping | undefined): Promise<ReconcilePlan> {
    const parts = parseMappingKey(key);
    if (!parts) throw new TerminalReconcileError(`"${key}" is not a reconcile key (tenant/direction/namespace/name)`);
    const { plan } = await this.plan(parts, tenant, mapping, await this.sides(parts, tenant));
    return plan;
  }

  private async sides(parts: MappingKeyParts, tenant: TenantSpec): Promise<Sides> {
    const tenantCluster = await this.clusters.tenant(tenant);
    return parts.direction === 'fromHost'
      ? { source: this.clusters.host, target: tenantCluster }
      : { source: tenantCluster, target: this.clusters.host };
  }

  private async plan(
    parts: MappingKeyParts,
    tenant: TenantSpec,
    mapping: Mapping | undefined,
    sides: Sides,
  ): Promise<{ plan: ReconcilePlan; sourceExists: boolean; target?: V1Service }> {
    const [source, target, targetSlices] = await Promise.all([
      mapping ? sides.source.readService(mapping.source) : undefined,
      sides.target.readService(parts.target),
      sides.target.listEndpointSlices(parts.target),
    ]);
    const sourceSlices = mapping && source && needsSourceSlices(mapping, tenant, source) ? await sides.source.listEndpointSlices(mapping.source) : [];
    return { plan: planReconcile({ mapping, key: parts, tenant, source, sourceSlices, target, targetSlices }), sourceExists: source !== undefined, target };
  }

  private async execute(action: Action, parts: MappingKeyParts, cluster: ClusterClient): Promise<{ wrote: string; done: string }> {
    const what = describe(action, cluster);
    const done = `${action.verb} ${action.kind}`;
    try {
      if (action.verb === 'create') await cluster.create(action.kind, action.object);
      else if (action.verb === 'update') await cluster.replace(action.kind, action.object);
      else await cluster.delete(action);
      return { wrote: what, done };
    } catch (error) {
      if (action.verb === 'create' && isMissingNamespace(error)) return { wrote: await this.createNamespace(action.object.metadata?.namespace ?? '', parts, cluster), done: 'create Namespace' };
      if (action.verb === 'delete' && apiStatus(error) === 404) return { wrote: `${what} (already gone)`, done };
      if (apiStatus(error) === 422 || apiStatus(error) === 400) throw new TerminalReconcileError(`${what} was rejected: ${apiMessage(error)}`);
      throw error;
    }
  }

  /** As vCluster does, a missing tenant namespace is created (and never deleted by us). */
  private async createNamespace(namespace: string, parts: MappingKeyParts, cluster: ClusterClient): Promise<string> {
    if (parts.direction === 'toHost') {
      throw new Error(`host namespace ${namespace} does not exist; create it or change the toHost target`);
    }
    const labels = ownershipLabels({ tenant: parts.tenant, direction: parts.direction });
    await cluster.createNamespace({ metadata: { name: namespace, labels } }).catch((error: unknown) => {
      if (apiStatus(error) !== 409) throw error;
    });
    return `create ${cluster.name} Namespace ${namespace}`;
  }
}

/**
 * Nothing to do, but why: converged (in-sync), a toHost mirror kept after its entry was removed
 * (kept), or a mapping whose source does not exist yet (pending: nothing is replicated).
 */
function idleState(mapping: Mapping | undefined, sourceExists: boolean, parts: MappingKeyParts): ReplicationState {
  if (!mapping) return parts.direction === 'toHost' ? 'kept' : 'in-sync';
  return sourceExists ? 'in-sync' : 'pending';
}

function needsSourceSlices(mapping: Mapping, tenant: TenantSpec, source: V1Service): boolean {
  if (mapping.direction === 'toHost') return effectiveToHostMode(mapping, tenant) === 'endpoints';
  return source.spec?.clusterIP === 'None' && source.spec?.type !== 'ExternalName';
}

function isMissingNamespace(error: unknown): boolean {
  return apiStatus(error) === 404 && /namespaces? "[^"]+" not found/.test(apiMessage(error));
}

function describe(action: Action, cluster: ClusterClient): string {
  const ref: ObjectRef = action.verb === 'delete' ? action : { namespace: action.object.metadata?.namespace ?? '', name: action.object.metadata?.name ?? '' };
  return `${action.verb} ${cluster.name} ${action.kind} ${formatRef(ref)}`;
}

