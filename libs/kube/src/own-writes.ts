import type { KubernetesObject } from '@kubernetes/client-node';
import { FIELD_MANAGER } from './cluster-client';

/**
 * Whether the object as it stands was last written by us: our field manager's entry in
 * managedFields is strictly newer than every other manager's. The watch event of the writer's own
 * write then carries nothing a pass needs to look at (the writer has converged it already), so it
 * enqueues nothing, even when it arrives before the writer has recorded its write in the snapshot.
 * A person's edit (kubectl, another controller) adds a newer entry of its own and is repaired.
 * managedFields times have a resolution of one second: an edit in the same second as ours is
 * treated as not ours, which costs a pass, never a missed repair.
 */
export function lastWrittenByUs(object: KubernetesObject): boolean {
  const entries = object.metadata?.managedFields ?? [];
  const ours = entries.filter((entry) => entry.manager === FIELD_MANAGER).map((entry) => timeOf(entry.time));
  if (ours.length === 0) return false;
  const latestOurs = Math.max(...ours);
  return entries.every((entry) => entry.manager === FIELD_MANAGER || timeOf(entry.time) < latestOurs);
}

/** A Date from the typed client, an RFC 3339 string from a watch event. */
function timeOf(time: Date | string | undefined): number {
  return time === undefined ? 0 : new Date(time).getTime();
}
