import { request } from 'node:https';
import type { ControlPlane } from '@service-replicator/control-plane-harness';

const MUTATING_VERBS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** What the replicator writes (Events only on a conflict); other resources are the suite's or the controllers'. */
export const COUNTED_RESOURCES = ['services', 'endpointslices', 'events', 'namespaces'] as const;
export type CountedResource = (typeof COUNTED_RESOURCES)[number];
export type WriteCounts = Record<CountedResource, number>;

/**
 * Writes the API servers answered, from their own `apiserver_request_total` (POST, PUT, PATCH and
 * DELETE, any code, by resource), less the writes the suite made itself. A restarted API server
 * counts from zero again: `beforeRestart` banks what it had counted so far.
 */
export class ApiWrites {
  private readonly banked = new Map<ControlPlane, WriteCounts>();
  private readonly base = new Map<ControlPlane, WriteCounts>();
  private readonly own = zero();

  constructor(private readonly clusters: readonly ControlPlane[]) {}

  /** Starts a row: what each API server has counted so far is the base. */
  async reset(): Promise<void> {
    for (const cluster of this.clusters) {
      this.base.set(cluster, await mutatingRequests(cluster));
      this.banked.set(cluster, zero());
    }
    Object.assign(this.own, zero());
  }

  /** The suite's own writes, to leave out of the count. */
  ownWrite(resource: CountedResource, count = 1): void {
    this.own[resource] += count;
  }

  /** Call just before stopping a cluster's API server: its counters start from zero when it is back. */
  async beforeRestart(cluster: ControlPlane): Promise<void> {
    const now = await mutatingRequests(cluster);
    this.banked.set(cluster, add(this.banked.get(cluster) ?? zero(), subtract(now, this.base.get(cluster) ?? zero())));
    this.base.set(cluster, zero());
  }

  /** Writes since `reset`, all clusters together, without the suite's own. */
  async total(): Promise<WriteCounts> {
    let sum = zero();
    for (const cluster of this.clusters) {
      const now = await mutatingRequests(cluster);
      sum = add(sum, add(this.banked.get(cluster) ?? zero(), subtract(now, this.base.get(cluster) ?? zero())));
    }
    return subtract(sum, this.own);
  }
}

export function zero(): WriteCounts {
  return { services: 0, endpointslices: 0, events: 0, namespaces: 0 };
}

function add(a: WriteCounts, b: WriteCounts): WriteCounts {
  return Object.fromEntries(COUNTED_RESOURCES.map((r) => [r, a[r] + b[r]])) as WriteCounts;
}

function subtract(a: WriteCounts, b: WriteCounts): WriteCounts {
  return Object.fromEntries(COUNTED_RESOURCES.map((r) => [r, a[r] - b[r]])) as WriteCounts;
}

function labelsOf(line: string): Record<string, string> {
  return Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
}

/** Mutating requests (or only `verbs`) by resource (subresources such as status excluded), summed over codes and scopes. */
export async function mutatingRequests(cluster: ControlPlane, verbs: readonly string[] = [...MUTATING_VERBS]): Promise<WriteCounts> {
  const counts = zero();
  for (const line of (await getMetrics(cluster)).split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const labels = labelsOf(line);
    const resource = labels.resource as CountedResource;
    if (!verbs.includes(labels.verb) || labels.subresource !== '' || !(COUNTED_RESOURCES as readonly string[]).includes(resource)) continue;
    counts[resource] += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return counts;
}

/** An API server's /metrics, read as its admin. */
export async function getMetrics(cluster: ControlPlane): Promise<string> {
  const url = new URL('/metrics', cluster.server);
  const options: Parameters<typeof request>[1] = { method: 'GET', hostname: url.hostname, port: url.port, path: url.pathname };
  await cluster.kubeConfig.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const req = request(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString('utf8')) : reject(new Error(`GET /metrics on ${cluster.name}: ${res.statusCode}`))));
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`GET /metrics on ${cluster.name}: timed out`)));
    req.on('error', reject);
    req.end();
  });
}
