import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import { ReconcileQueue } from '@service-replicator/replication-queue';
import { milestoneOf, PUBLISHED, WATCHING, WROTE, type Milestone } from './app-milestones';
import { log } from './bench-log';
import { writeMirrorsDirectly } from './direct-writes';
import { difference, readLoad, scrape, total, type LoadReading } from './load-counters';
import { MirrorCount } from './mirror-count';
import { queueDrained } from './scale-phases';
import { PREFIX, type BenchTenant, type TenantsEnvironment } from './tenants-environment';

const CONVERGE_TIMEOUT_MS = 20 * 60_000;
const IDLE_MS = 60_000;
/** What every kube-apiserver does on its own, client or not: `<server> PUT leases`, `<server> GET|POST endpoints`. */
const SERVER_BACKGROUND = / (PUT leases|GET endpoints|POST endpoints)$/;

export interface WatchCount {
  readonly server: string;
  /** Tenant namespaces on this API server (each watched for Services and EndpointSlices). */
  readonly namespaces: number;
  readonly services: number;
  readonly endpointslices: number;
}

export interface TenantsRun {
  readonly tenantWatchers: number;
  readonly tenants: number;
  readonly mirrors: number;
  readonly seconds: number;
  /**
   * Per tenant-watcher process: RSS (MiB) with no tenant, right after convergence, and a minute
   * later (steady: the garbage of catching up collected).
   */
  readonly rss: readonly { readonly baselineMiB: number; readonly afterMiB: number; readonly steadyMiB: number; readonly tenantsHeld: number }[];
  readonly watches: readonly WatchCount[];
  /**
   * API requests (all servers) during an idle minute after convergence, per tenant, less the API
   * servers' own background (their identity lease renewals and the `kubernetes` Service's endpoints
   * reconciler: PUT leases, GET and POST endpoints), which happen with no client at all.
   */
  readonly idleRequestsPerTenantPerMinute: number;
  readonly idleRequests: Readonly<Record<string, number>>;
  /** A tenant's ConfigMap edited (one mapping added): ms until the new mapping was in sync, per edit. */
  readonly configEditMs: readonly number[];
  readonly load: LoadReading;
  readonly timeline: TenantsTimeline;
  /** The writer's passes until convergence, by outcome (replicator_reconciles_total): a mirror takes one when nothing waits. */
  readonly passes: Readonly<Record<string, number>>;
}

export interface FloorRun {
  readonly mirrors: number;
  readonly concurrency: number;
  readonly seconds: number;
  readonly load: LoadReading;
}

/** Where a system run's time went, from the apps' logs (seconds from the tenants file naming every tenant). */
export interface TenantsTimeline {
  /** config-watcher published a tenant's mappings (once per tenant). */
  readonly published: Milestone;
  /** A tenant-watcher started following a tenant. */
  readonly watching: Milestone;
  /** The writer wrote a mirror. */
  readonly writes: Milestone;
}

/** The same mirrors written directly with client-node (split over both tenant API servers), `concurrency` at a time in all. */
export async function floorRun(env: TenantsEnvironment, tenants: readonly BenchTenant[], concurrency: number): Promise<FloorRun> {
  const perServer = env.tenantServers.map((_, server) => tenants.filter((tenant) => tenant.server === server));
  const counts = await Promise.all(env.tenantServers.map((plane, server) => MirrorCount.start(plane.kubeConfig, perServer[server].map((t) => t.name), expected(env, perServer[server]))));
  try {
    const before = await readLoad(env.loadSources());
    const start = performance.now();
    await Promise.all(env.tenantServers.map((plane, server) => {
      const jobs = perServer[server].flatMap((tenant) => tenant.mappings.map((mapping, i) => ({ source: env.sources[i], mapping })));
      return writeMirrorsDirectly(plane.kubeconfigPath, jobs, Math.max(1, Math.round(concurrency / env.tenantServers.length)));
    }));
    await Promise.all(counts.map((count) => count.all(CONVERGE_TIMEOUT_MS)));
    const seconds = (performance.now() - start) / 1000;
    const load = difference(before, await readLoad(env.loadSources()));
    log(`floor: ${seconds.toFixed(1)} s for ${tenants.length * env.sources.length} mirrors`);
    return { mirrors: tenants.length * env.sources.length, concurrency, seconds, load };
  } finally {
    await Promise.all(counts.map((count) => count.stop()));
  }
}

/**
 * The system with `tenantWatchers` tenant-watcher replicas: from the tenants file naming every
 * tenant (their configs written already) until every mapping is in sync and the queue is empty;
 * then RSS, watches per API server, and the API requests of an idle minute.
 */
export async function systemRun(env: TenantsEnvironment, tenants: readonly BenchTenant[], tenantWatchers: number, appEnv: Readonly<Record<string, string>>): Promise<TenantsRun> {
  const baselineWatches = await Promise.all(env.tenantServers.map((plane) => openWatches(plane.kubeConfig)));
  const publishAll = await env.startApps(`r${tenantWatchers}`, tenants, tenantWatchers, appEnv);
  const queue = ReconcileQueue.connect(env.redis, PREFIX);
  try {
    await sleep(3_000);
    const pids = env.apps.pids('tenant-watcher');
    const baselineRss = pids.map(rssMiB);
    const mirrors = tenants.length * env.sources.length;
    const before = await readLoad(env.loadSources());
    const start = performance.now();
    await publishAll();
    await allInSync(env, mirrors);
    await queueDrained(queue);
    const seconds = (performance.now() - start) / 1000;
    const load = difference(before, await readLoad(env.loadSources()));
    const timeline = await timelineOf(env, performance.timeOrigin + start);
    const passes = await writerPasses(env);
    log(`system, ${tenantWatchers} tenant-watcher(s): ${seconds.toFixed(1)} s for ${mirrors} mirrors (${JSON.stringify(timeline)})`);
    const watches = await Promise.all(env.tenantServers.map(async (plane, server) => {
      const now = await openWatches(plane.kubeConfig);
      const ours = (resource: string) => (now.get(resource) ?? 0) - (baselineWatches[server].get(resource) ?? 0);
      return { server: plane.name, namespaces: tenants.filter((t) => t.server === server).length, services: ours('services'), endpointslices: ours('endpointslices') };
    }));
    const held = await tenantsHeld(env, pids);
    const afterRss = pids.map(rssMiB);
    const idleBefore = await readLoad(env.loadSources());
    await sleep(IDLE_MS);
    const idle = difference(idleBefore, await readLoad(env.loadSources()));
    const rss = pids.map((pid, i) => ({ baselineMiB: baselineRss[i], afterMiB: afterRss[i], steadyMiB: rssMiB(pid), tenantsHeld: held[i] }));
    const configEditMs = await configEdits(env, tenants);
    const idleTotal = total(idle.requests, (key) => !SERVER_BACKGROUND.test(key));
    log(`idle minute: ${idleTotal} API requests from clients (${total(idle.requests)} in all)`);
    return {
      tenantWatchers, tenants: tenants.length, mirrors, seconds, rss, watches,
      idleRequestsPerTenantPerMinute: idleTotal / tenants.length,
      idleRequests: Object.fromEntries(idle.requests),
      configEditMs,
      load,
      timeline,
      passes,
    };
  } finally {
    await queue.close();
    await env.stopApps();
  }
}

/**
 * Five tenants' ConfigMaps edited one after another (each gains a mapping of the first source to a
 * new name): the time from the edit to the writer's in-sync record of the new mapping.
 */
async function configEdits(env: TenantsEnvironment, tenants: readonly BenchTenant[]): Promise<number[]> {
  const times: number[] = [];
  for (const tenant of tenants.filter((_, i) => i % Math.ceil(tenants.length / 5) === 0).slice(0, 5)) {
    const added = { ...tenant.mappings[0], target: { namespace: tenant.name, name: 'edited' } };
    const start = performance.now();
    await env.writeConfig(tenant, [...tenant.mappings, added], 'replace');
    const key = `${tenant.name}/fromHost/${tenant.name}/edited`;
    for (;;) {
      const raw = await env.redis.hget(`${PREFIX}:replicator:status`, key);
      if (raw && (JSON.parse(raw) as { state: string }).state === 'in-sync') break;
      if (performance.now() - start > 60_000) throw new Error(`${key} not in sync 60 s after its config edit`);
      await sleep(20);
    }
    times.push(Math.round(performance.now() - start));
  }
  log(`config edits applied after ${times.join(', ')} ms`);
  return times;
}

function expected(env: TenantsEnvironment, tenants: readonly BenchTenant[]) {
  return tenants.flatMap((tenant) => tenant.mappings.map((mapping, i) => ({ ...mapping.target, address: env.sources[i].spec?.clusterIP ?? '' })));
}

async function timelineOf(env: TenantsEnvironment, startedAt: number): Promise<TenantsTimeline> {
  return {
    published: await milestoneOf(env.apps, 'config-watcher', startedAt, PUBLISHED),
    watching: await milestoneOf(env.apps, 'tenant-watcher', startedAt, WATCHING),
    writes: await milestoneOf(env.apps, 'writer', startedAt, WROTE),
  };
}

/** The writer's replicator_reconciles_total, summed over directions, by outcome. */
async function writerPasses(env: TenantsEnvironment): Promise<Record<string, number>> {
  const text = await (await fetch(`${await env.apps.httpAddress('writer')}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
  const passes: Record<string, number> = {};
  for (const match of text.matchAll(/^replicator_reconciles_total\{[^}]*outcome="([^"]+)"[^}]*\} (\S+)$/gm)) passes[match[1]] = (passes[match[1]] ?? 0) + Number(match[2]);
  return passes;
}

/** Every mapping's status record says in-sync (the writer's word, after its writes succeeded). */
async function allInSync(env: TenantsEnvironment, mirrors: number): Promise<void> {
  const deadline = Date.now() + CONVERGE_TIMEOUT_MS;
  for (;;) {
    const statuses = Object.values(await env.redis.hgetall(`${PREFIX}:replicator:status`));
    const inSync = statuses.filter((raw) => (JSON.parse(raw) as { state: string }).state === 'in-sync').length;
    if (inSync >= mirrors) return;
    if (Date.now() > deadline) throw new Error(`${inSync}/${mirrors} mappings in sync after ${CONVERGE_TIMEOUT_MS} ms`);
    await sleep(200);
  }
}

/** How many tenant leases each tenant-watcher process holds (its holder id carries its pid). */
async function tenantsHeld(env: TenantsEnvironment, pids: readonly number[]): Promise<number[]> {
  const keys = await env.redis.keys(`${PREFIX}:replicator:lease:tenant-watcher:*`);
  const holders = await Promise.all(keys.filter((key) => !key.endsWith(':fence')).map((key) => env.redis.hget(key, 'holder')));
  return pids.map((pid) => holders.filter((holder) => holder?.split('/')[1] === String(pid)).length);
}

/** Watches an API server holds open, by resource (`apiserver_longrunning_requests{verb="WATCH"}`). */
async function openWatches(kubeConfig: KubeConfig): Promise<Map<string, number>> {
  const watches = new Map<string, number>();
  for (const line of (await scrape(kubeConfig, '/metrics')).split('\n')) {
    if (!line.startsWith('apiserver_longrunning_requests{') || !line.includes('verb="WATCH"')) continue;
    const resource = /resource="([^"]*)"/.exec(line)?.[1];
    if (resource) watches.set(resource, (watches.get(resource) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return watches;
}

function rssMiB(pid: number): number {
  try {
    const kB = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
    return Math.round((kB / 1024) * 10) / 10;
  } catch {
    return Number.NaN;
  }
}
