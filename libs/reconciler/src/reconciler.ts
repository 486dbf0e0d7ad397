import type { V1Service } from '@kubernetes/client-node';
import type { KubeCluster, KubeClusters } from '@service-replicator/kube';
import { parseMappingKey, type Mapping, type MappingKeyParts, type TenantSpec } from '@service-replicator/replication-config';
import type { ReplicationState } from '@service-replicator/replication-queue';
import { planReconcile, type Action, type ReconcileInput, type ReconcilePlan } from '@service-replicator/service-translation';
import { inSpan } from '@service-replicator/telemetry';
import {
  isNotSynced,
  listTenantPods,
  readLiveState,
  readPassState,
  readTargetState,
  readTenantPods,
  sideIds,
  type MappingLookup,
  type NotSynced,
  type PassSides,
  type PassSnapshots,
  type PassState,
  type TenantPodLookup,
} from './pass-state';
import { executeAction, TerminalReconcileError } from './pass-writes';
import { SourceAccess } from './source-access';

export { TerminalReconcileError } from './pass-writes';

/** What one pass found and did. */
export interface PassOutcome {
  readonly key: string;
  readonly parts: MappingKeyParts;
  readonly mapping?: Mapping;
  readonly state: ReplicationState;
  readonly message: string;
  /** The writes this pass made, in order, e.g. "create tenant Service default/web". */
  readonly wrote?: string;
  /** The verbs and kinds of those writes (`create Service, create EndpointSlice`), for traces. */
  readonly action?: string;
  /** Look again after this long: a namespace no watcher has listed yet. */
  readonly retryInMs?: number;
  /** The key's entry is gone and nothing of ours is left: its status record can go too. */
  readonly retired?: boolean;
  /** The object we may not touch, when state is conflict, and the cluster it lives in. */
  readonly conflict?: { readonly cluster: KubeCluster; readonly object: V1Service };
  /** Endpoint addresses left out of a host mirror (not the tenant's pods), and the mirror they were meant for. */
  readonly dropped?: { readonly addresses: readonly string[]; readonly cluster: KubeCluster; readonly object?: V1Service };
}

/** What a pass knows besides both sides' objects: whether it may replicate, and the tenant's pods. */
type PassContext = Pick<ReconcileInput, 'refusal' | 'tenantPods'>;

/** A pass waits this long for a watcher to list a namespace it has just been asked to follow. */
const NOT_SYNCED_RETRY_MS = 2_000;
/** A watcher that cannot list a namespace (forbidden, say) is unlikely to manage it in seconds. */
const WATCH_ERROR_RETRY_MS = 15_000;
/**
 * Service, then its slices and Endpoints (planned again once the Service exists), then a last look;
 * or, adopting a vCluster mirror, our slices and the relabelled Service, then vCluster's Endpoints.
 */
const MAX_STEPS = 3;

/**
 * Level-triggered reconcile of one key: look up the key's mapping, read both sides from the
 * watchers' snapshots, plan (pure) and converge the mirror in one go: the Service first, then its
 * EndpointSlices. Never trusts anything the event carried; every write carries the
 * uid/resourceVersion it planned from, so stale snapshots cost a 409 and a retry, never a wrong write.
 */
export class Reconciler {
  constructor(
    private readonly clusters: KubeClusters,
    private readonly mappings: MappingLookup,
    private readonly snapshots: PassSnapshots,
    private readonly pods: TenantPodLookup,
    private readonly access = new SourceAccess(),
  ) {}

  async reconcile(key: string): Promise<PassOutcome> {
    const parts = parseMappingKey(key);
    if (!parts) throw new TerminalReconcileError(`"${key}" is not a reconcile key (tenant/direction/namespace/name)`);
    const { published, mapping } = await this.mappings.lookup(key);
    if (!published) {
      // Without the tenant's spec its cluster cannot be reached; nothing can be done or undone.
      return { key, parts, state: 'error', message: `tenant ${parts.tenant} is not configured` };
    }
    const tenant = published.tenant;
    const sides = await this.sides(parts, tenant);
    const refusal = await this.refusal(tenant, mapping, sides);
    const state = await inSpan('read snapshots', {}, () =>
      refusal === undefined ? readPassState(this.snapshots, sides, parts, mapping, tenant) : readTargetState(this.snapshots, sides, parts, tenant),
    );
    if (isNotSynced(state)) return this.notSynced(key, parts, mapping, state);
    const tenantPods = await readTenantPods(this.pods, tenant, mapping, state);
    if (isNotSynced(tenantPods)) return this.notSynced(key, parts, mapping, tenantPods);
    return this.converge(parts, key, tenant, mapping, state, sides, { refusal, tenantPods });
  }

  /**
   * What a pass for `key` would do if `mapping` were in force (undefined: its entry removed),
   * reading both sides from their API servers and writing nothing. The CLI's `plan` uses it.
   */
  async preview(tenant: TenantSpec, key: string, mapping: Mapping | undefined): Promise<ReconcilePlan> {
    const parts = parseMappingKey(key);
    if (!parts) throw new TerminalReconcileError(`"${key}" is not a reconcile key (tenant/direction/namespace/name)`);
    const sides = await this.sides(parts, tenant);
    const refusal = await this.refusal(tenant, mapping, sides);
    const state = await readLiveState(sides, parts, refusal === undefined ? mapping : undefined, tenant);
    const tenantPods = mapping?.direction === 'toHost' ? await listTenantPods(this.clusters.host, tenant) : undefined;
    return planReconcile({ mapping, key: parts, tenant, ...state, refusal, tenantPods });
  }

  private async converge(
    parts: MappingKeyParts,
    key: string,
    tenant: TenantSpec,
    mapping: Mapping | undefined,
    state: PassState,
    sides: PassSides,
    known: PassContext,
  ): Promise<PassOutcome> {
    const context = { cluster: sides.target, clusterId: sides.targetId, snapshots: this.snapshots, parts };
    const wrote: string[] = [];
    const verbs: string[] = [];
    let plan = planReconcile({ mapping, key: parts, tenant, ...state, ...known });
    for (let step = 0; step < MAX_STEPS && plan.actions.length > 0; step += 1) {
      for (const action of nextStep(plan.actions)) {
        wrote.push(await executeAction(action, state, context));
        verbs.push(`${action.verb} ${action.kind}`);
      }
      if (plan.state === 'conflict') break;
      plan = planReconcile({ mapping, key: parts, tenant, ...state, ...known });
    }
    const base = {
      key,
      parts,
      mapping,
      message: plan.message,
      ...(wrote.length > 0 ? { wrote: wrote.join('; '), action: verbs.join(', ') } : {}),
      ...(plan.dropped ? { dropped: { addresses: plan.dropped, cluster: sides.target, object: state.target } } : {}),
    };
    if (plan.state === 'conflict') {
      // The Warning Event goes on the target as this pass saw it.
      return { ...base, state: 'conflict', conflict: state.target && { cluster: sides.target, object: state.target } };
    }
    if (plan.actions.length > 0) return { ...base, state: 'pending', retryInMs: 0 };
    if (plan.state === 'refused') return { ...base, state: 'error' };
    return { ...base, ...idleState(mapping, state, parts) };
  }

  /**
   * A pass that cannot plan yet: pending (or the watcher's error). The watcher enqueues the key as
   * soon as it has listed the namespace waited for; the retry is the fallback.
   */
  private async notSynced(key: string, parts: MappingKeyParts, mapping: Mapping | undefined, state: NotSynced): Promise<PassOutcome> {
    const base = { key, parts, mapping };
    if (state.watchError) return { ...base, state: 'error', message: state.watchError, retryInMs: WATCH_ERROR_RETRY_MS };
    if (state.cluster && state.namespace) await this.snapshots.awaitSync(state.cluster, state.namespace, key);
    return { ...base, state: 'pending', message: `waiting for the watcher of ${state.waitingFor}`, retryInMs: NOT_SYNCED_RETRY_MS };
  }

  /** Why a fromHost mapping's source may not be read by its tenant (the API server's answer, cached), if it may not. */
  private refusal(tenant: TenantSpec, mapping: Mapping | undefined, sides: PassSides): Promise<string | undefined> {
    if (mapping?.direction !== 'fromHost') return Promise.resolve(undefined);
    return this.access.refusal(tenant.name, sides.source, mapping.source);
  }

  /** Host reads and writes for a tenant are made as the tenant's host identity (impersonated). */
  private async sides(parts: MappingKeyParts, tenant: TenantSpec): Promise<PassSides> {
    const tenantCluster = await this.clusters.tenant(tenant);
    const hostAsTenant = this.clusters.hostAs(tenant);
    const ids = sideIds(parts.direction, tenant.name);
    return parts.direction === 'fromHost'
      ? { source: hostAsTenant, target: tenantCluster, ...ids }
      : { source: tenantCluster, target: hostAsTenant, ...ids };
  }
}

/** A namespace (or a tenant's pods) no watcher has listed yet, or one its watcher cannot list. */

/**
 * The writes to make before planning again: those up to the plan's last Service write, if any (a
 * Service's slices and Endpoints are planned once it exists, so they can name it as their owner;
 * an adoption's slices come before the Service on purpose), otherwise all of them.
 */
function nextStep(actions: readonly Action[]): readonly Action[] {
  const lastService = actions.map((action) => action.kind).lastIndexOf('Service');
  return lastService >= 0 ? actions.slice(0, lastService + 1) : actions;
}

/**
 * Nothing (more) to do, but why: converged (in-sync), a toHost mirror kept after its entry was
 * removed (kept), a mapping whose source does not exist yet (pending: nothing is replicated), or a
 * removed fromHost entry with nothing of ours left (retired: its status record goes).
 */
function idleState(mapping: Mapping | undefined, state: PassState, parts: MappingKeyParts): Pick<PassOutcome, 'state' | 'retired'> {
  if (!mapping) return parts.direction === 'toHost' ? { state: 'kept' } : { state: 'in-sync', retired: true };
  return { state: state.source ? 'in-sync' : 'pending' };
}
