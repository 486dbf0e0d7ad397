import type { V1EndpointSlice, V1Endpoints, V1Service } from '@kubernetes/client-node';
import { apiMessage, apiStatus, type KubeCluster, type MirroredObject } from '@service-replicator/kube';
import { formatRef } from '@service-replicator/references';
import type { MappingKeyParts } from '@service-replicator/replication-config';
import type { ClusterId } from '@service-replicator/replication-queue';
import { ownershipLabels, type Action } from '@service-replicator/service-translation';
import type { PassSnapshots, PassState } from './pass-state';

/** A pass that must not be retried: the same input would fail the same way. */
export class TerminalReconcileError extends Error {
  override readonly name = 'TerminalReconcileError';
}

export interface WriteContext {
  readonly cluster: KubeCluster;
  readonly clusterId: ClusterId;
  readonly snapshots: PassSnapshots;
  readonly parts: MappingKeyParts;
}

/**
 * Makes one write (with the preconditions the plan carries) and applies its result to `state`, so
 * the pass can plan its next step without reading anything. The result also goes into the target's
 * snapshot: when the watcher then sees the same version, it knows the change is our own echo.
 * Returns what was written, for the status and the log.
 */
export async function executeAction(action: Action, state: PassState, context: WriteContext): Promise<string> {
  const what = describeWrite(action, context.cluster);
  try {
    if (action.verb === 'delete') await deleteObject(action, state, context);
    else await writeObject(action, state, context);
  } catch (error) {
    if (action.verb === 'delete' && apiStatus(error) === 404) return `${what} (already gone)`;
    if (action.verb === 'update' && apiStatus(error) === 404) {
      // The snapshot held an object that is gone (our own record of a write can land after the
      // watcher saw it deleted): forget it there too, and the next step creates it afresh.
      await forgetStale(action, state, context);
      return `${what} (gone; to be created again)`;
    }
    if (action.verb === 'create' && isMissingNamespace(error)) {
      await createNamespace(action.object.metadata?.namespace ?? '', context);
      await writeObject(action, state, context);
      return `create ${context.cluster.name} Namespace ${action.object.metadata?.namespace ?? ''}; ${what}`;
    }
    if (apiStatus(error) === 422 || apiStatus(error) === 400) throw new TerminalReconcileError(`${what} was rejected: ${apiMessage(error)}`);
    if (action.verb === 'create' && apiStatus(error) === 409) await bestEffort(learnExisting(action, context));
    throw error;
  }
  return what;
}

/**
 * A create refused with 409 AlreadyExists means the snapshot said "absent" about an object that
 * exists: normally a watch event just behind, which brings it; but a snapshot that lost it (Redis
 * flushed while the namespace was still vouched for) gets no event until the object changes, and
 * every retry would POST again. One read puts the object in the snapshot (an older version than
 * the watcher's never overwrites it), so the retry plans from what is there: ours, updated; not
 * ours, a conflict.
 */
async function learnExisting(action: Extract<Action, { verb: 'create' }>, context: WriteContext): Promise<void> {
  const ref = { namespace: action.object.metadata?.namespace ?? '', name: action.object.metadata?.name ?? '' };
  const existing = await context.cluster.read(action.kind, ref);
  if (existing) await recordInSnapshot(action.kind, existing, context);
}

/**
 * The snapshot forgets the object before the request goes out, so the watch event of our own
 * delete finds nothing to change and enqueues nothing. If the delete fails (a precondition: the
 * object changed meanwhile), the object is put back, or the snapshot would lack it.
 */
async function deleteObject(action: Extract<Action, { verb: 'delete' }>, state: PassState, context: WriteContext): Promise<void> {
  const { cluster } = context;
  const before = action.kind === 'Service' ? state.target : action.kind === 'Endpoints' ? state.targetEndpoints : state.targetSlices.find((slice) => slice.metadata?.name === action.name);
  await bestEffort(forgetInSnapshot(action, context));
  try {
    await cluster.delete(action);
  } catch (error) {
    if (apiStatus(error) !== 404 && before) await bestEffort(recordInSnapshot(action.kind, before, context));
    throw error;
  } finally {
    forget(action, state);
  }
}

function forgetInSnapshot(action: Extract<Action, { verb: 'delete' }>, { snapshots, clusterId, parts }: WriteContext): Promise<unknown> {
  if (action.kind === 'Service') return snapshots.deleteService(clusterId, action, action.uid);
  if (action.kind === 'Endpoints') return snapshots.deleteEndpoints(clusterId, parts.target, action.uid);
  return snapshots.deleteSlice(clusterId, parts.target, action);
}

function recordInSnapshot(kind: Action['kind'], object: MirroredObject, { snapshots, clusterId, parts }: WriteContext): Promise<unknown> {
  if (kind === 'Service') return snapshots.putService(clusterId, object as V1Service);
  if (kind === 'Endpoints') return snapshots.putEndpoints(clusterId, parts.target, object as V1Endpoints);
  return snapshots.putSlice(clusterId, parts.target, object as V1EndpointSlice);
}

async function writeObject(action: Exclude<Action, { verb: 'delete' }>, state: PassState, context: WriteContext): Promise<void> {
  const written = action.verb === 'create' ? await context.cluster.create(action.kind, action.object) : await context.cluster.replace(action.kind, action.object);
  if (action.kind === 'Service') state.target = written as V1Service;
  else if (action.kind === 'Endpoints') state.targetEndpoints = written as V1Endpoints;
  else {
    const slice = written as V1EndpointSlice;
    state.targetSlices = [...state.targetSlices.filter((s) => s.metadata?.name !== slice.metadata?.name), slice];
  }
  // Not awaited: the watcher recognises the echo by its managedFields even before this lands.
  void bestEffort(recordInSnapshot(action.kind, written, context));
}

/**
 * Recording our own write in the snapshot only spares the watcher an enqueue: if Redis does not
 * take it, the watcher stores the event itself and a confirming pass finds nothing to do.
 */
function bestEffort(record: Promise<unknown>): Promise<void> {
  return record.then(
    () => undefined,
    () => undefined,
  );
}

async function forgetStale(action: Extract<Action, { verb: 'update' }>, state: PassState, context: WriteContext): Promise<void> {
  const { name = '', namespace = '', uid } = action.object.metadata ?? {};
  const gone = { verb: 'delete' as const, kind: action.kind, name, namespace, uid };
  forget(gone, state);
  await bestEffort(forgetInSnapshot(gone, context));
}

function forget(action: Extract<Action, { verb: 'delete' }>, state: PassState): void {
  if (action.kind === 'Service') state.target = undefined;
  else if (action.kind === 'Endpoints') state.targetEndpoints = undefined;
  else state.targetSlices = state.targetSlices.filter((slice) => slice.metadata?.name !== action.name);
}

/** As vCluster does, a missing tenant namespace is created (and never deleted by us). */
async function createNamespace(namespace: string, { cluster, parts }: WriteContext): Promise<void> {
  if (parts.direction === 'toHost') {
    throw new Error(`host namespace ${namespace} does not exist; create it or change the toHost target`);
  }
  const labels = ownershipLabels({ tenant: parts.tenant, direction: parts.direction });
  await cluster.createNamespace({ metadata: { name: namespace, labels } }).catch((error: unknown) => {
    if (apiStatus(error) !== 409) throw error;
  });
}

function isMissingNamespace(error: unknown): boolean {
  return apiStatus(error) === 404 && /namespaces? "[^"]+" not found/.test(apiMessage(error));
}

function describeWrite(action: Action, cluster: KubeCluster): string {
  const ref = action.verb === 'delete' ? action : { namespace: action.object.metadata?.namespace ?? '', name: action.object.metadata?.name ?? '' };
  return `${action.verb} ${cluster.name} ${action.kind} ${formatRef(ref)}`;
}
