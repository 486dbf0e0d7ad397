import type { ControlPlane } from '@service-replicator/control-plane-harness';
import { getMetrics } from './api-writes';

/** Labels of a Prometheus text line. */
function labelsOf(line: string): Record<string, string> {
  return Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
}

/**
 * The watches an API server holds open now, by resource, from its own /metrics
 * (`apiserver_longrunning_requests{verb="WATCH"}`, summed over scopes and versions).
 */
export async function openWatches(cluster: ControlPlane): Promise<Map<string, number>> {
  const text = await getMetrics(cluster);
  const watches = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('apiserver_longrunning_requests{')) continue;
    const labels = labelsOf(line);
    if (labels.verb !== 'WATCH' || !labels.resource) continue;
    watches.set(labels.resource, (watches.get(labels.resource) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return watches;
}
