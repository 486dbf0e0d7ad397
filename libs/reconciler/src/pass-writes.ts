import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import { apiMessage, apiStatus, type ClusterClient } from '@service-replicator/kube';
import { formatRef } from '@service-replicator/references';
import type { MappingKeyParts } from '@service-replicator/replication-config';
import type { ClusterId, SnapshotStore } from '@service-replicator/replication-queue';
import { ownershipLabels, type Action } from '@service-replicator/service-translation';
import type { PassState } from './pass-state';

/** A pass that must not be retried: the same input would fail the same way. */
export class TerminalReconcileError extends Error {
  override readonly name = 'TerminalReconcileError';
}

export interface WriteContext {
  readonly cluster: ClusterClient;
  readonly clusterId: ClusterId;
  readonly snapshots: SnapshotStore;
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
    if (action.verb === 'delete') await context.cluster.delete(action);
    else await writeObject(action, state, context);
  } catch (error) {
    if (action.verb === 'delete' && apiStatus(error) === 404) {
      forget(action, state);
      return `${what} (already gone)`;
    }
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
    throw error;
  }
  if (action.verb === 'delete') {
    forget(action, state);
    const { snapshots, clusterId, parts } = context;
    await bestEffort(
      action.kind === 'Service'
        ? snapshots.deleteService(clusterId, action, action.uid)
        : snapshots.deleteSlice(clusterId, parts.target, action),
    );
  }
  return what;
}

async function writeObject(action: Exclude<Action, { verb: 'delete' }>, state: PassState, context: WriteContext): Promise<void> {
  const { cluster, snapshots, clusterId, parts } = context;
  const written = action.verb === 'create' ? await cluster.create(action.kind, action.object) : await cluster.replace(action.kind, action.object);
  if (action.kind === 'Service') {
    state.target = written as V1Service;
    await bestEffort(snapshots.putService(clusterId, written as V1Service));
  } else {
    const slice = written as V1EndpointSlice;
    state.targetSlices = [...state.targetSlices.filter((s) => s.metadata?.name !== slice.metadata?.name), slice];
    await bestEffort(snapshots.putSlice(clusterId, parts.target, slice));
  }
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
  const { snapshots, clusterId, parts } = context;
  await bestEffort(action.kind === 'Service' ? snapshots.deleteService(clusterId, gone, uid) : snapshots.deleteSlice(clusterId, parts.target, gone));
}

function forget(action: Extract<Action, { verb: 'delete' }>, state: PassState): void {
  if (action.kind === 'Service') state.target = undefined;
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

function describeWrite(action: Action, cluster: ClusterClient): string {
  const ref = action.verb === 'delete' ? action : { namespace: action.object.metadata?.namespace ?? '', name: action.object.metadata?.name ?? '' };
  return `${action.verb} ${cluster.name} ${action.kind} ${formatRef(ref)}`;
}
