import { readFileSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Redis } from 'ioredis';

/**
 * Counts that do not depend on how loaded the machine is: API requests by verb (from each
 * kube-apiserver's own /metrics), Redis commands (INFO commandstats) and CPU seconds per process
 * (/proc/<pid>/stat). A measurement takes one reading before and one after, and reports the
 * difference.
 */
export interface LoadReading {
  /** `<cluster> <VERB> <resource>` -> requests completed. */
  readonly requests: ReadonlyMap<string, number>;
  /** Redis command -> calls. */
  readonly redis: ReadonlyMap<string, number>;
  /** Process label -> CPU seconds (user + system). */
  readonly cpu: ReadonlyMap<string, number>;
  /**
   * CPU seconds the whole machine was busy, over all cores (/proc/stat: everything but idle and
   * iowait): every process, ours or not, and the kernel's interrupt work. Against wall seconds
   * times the cores, it says whether the machine had CPU to spare.
   */
  readonly machineBusy: number;
}

/** The load label of the benchmark's own process: a floor's direct writes, and the watch that counts mirrors. */
export const BENCHMARK_PROCESS = 'benchmark process';

export interface LoadSources {
  readonly apiServers: readonly { readonly name: string; readonly kubeConfig: KubeConfig }[];
  readonly redis: Redis;
  /** Process label -> pids (an app's replicas are summed under one label). */
  readonly processes: () => ReadonlyMap<string, readonly number[]>;
}

export async function readLoad(sources: LoadSources): Promise<LoadReading> {
  const requests = new Map<string, number>();
  for (const { name, kubeConfig } of sources.apiServers) {
    for (const [key, value] of await apiRequests(kubeConfig)) requests.set(`${name} ${key}`, value);
  }
  return { requests, redis: parseCommandStats(await sources.redis.info('commandstats')), cpu: cpuSeconds(sources.processes()), machineBusy: machineBusySeconds() };
}

/** after - before, dropping keys that did not move. */
export function difference(before: LoadReading, after: LoadReading): LoadReading {
  return {
    requests: subtract(before.requests, after.requests),
    redis: subtract(before.redis, after.redis),
    cpu: subtract(before.cpu, after.cpu),
    machineBusy: after.machineBusy - before.machineBusy,
  };
}

export function total(counts: ReadonlyMap<string, number>, matching: (key: string) => boolean = () => true): number {
  return [...counts].filter(([key]) => matching(key)).reduce((sum, [, value]) => sum + value, 0);
}

function subtract(before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>): Map<string, number> {
  const result = new Map<string, number>();
  for (const [key, value] of after) {
    const moved = value - (before.get(key) ?? 0);
    if (moved > 1e-9) result.set(key, moved);
  }
  return result;
}

/**
 * `apiserver_request_total` summed by verb and resource, over codes and scopes. Requests for
 * non-resource URLs (this scrape itself, /healthz) are left out. A watch is counted when it ends,
 * so watches held open across a measurement do not show in it.
 */
async function apiRequests(kubeConfig: KubeConfig): Promise<Map<string, number>> {
  const text = await scrape(kubeConfig, '/metrics');
  const counts = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const labels = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (!labels.resource) continue;
    const key = `${labels.verb} ${labels.resource}${labels.subresource ? `/${labels.subresource}` : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return counts;
}

/** GET a path of an API server (e.g. /metrics) with the kubeconfig's credentials. */
export async function scrape(kubeConfig: KubeConfig, path: string): Promise<string> {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  const options: { headers?: Record<string, string>; [key: string]: unknown } = {};
  await kubeConfig.applyToHTTPSOptions(options);
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = request(`${cluster.server}${path}`, { ...options, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${path}: HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

function parseCommandStats(info: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) counts.set(match[1], Number(match[2]));
  return counts;
}

const TICKS_PER_SECOND = 100;

/** utime + stime of each process, in seconds (the kernel's clock ticks are 1/100 s on Linux). */
function cpuSeconds(processes: ReadonlyMap<string, readonly number[]>): Map<string, number> {
  const seconds = new Map<string, number>();
  for (const [label, pids] of processes) {
    let sum = 0;
    for (const pid of pids) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        sum += (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
      } catch {
        // the process has exited; its CPU is no longer readable
      }
    }
    seconds.set(label, sum);
  }
  return seconds;
}

/** The first line of /proc/stat (all cores): user nice system idle iowait irq softirq steal ..., in ticks. */
function machineBusySeconds(): number {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = ticks;
  return (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND;
}
