import { writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { stringify } from 'yaml';
import type { Mapping } from '@service-replicator/replication-config';
import { mappingKeyOf } from '@service-replicator/replication-config';
import { ReconcileQueue } from '@service-replicator/replication-queue';
import { milestoneOf, PUBLISHED, WROTE } from './app-milestones';
import { log } from './bench-log';
import { writeMirrorsDirectly } from './direct-writes';
import { difference, readLoad, type LoadReading } from './load-counters';
import { MirrorCount, type ExpectedMirror } from './mirror-count';
import { SOURCE_NAMESPACE, type ScaleEnvironment } from './scale-environment';

export interface PhaseResult {
  readonly name: string;
  readonly seconds: number;
  readonly load: LoadReading;
}

/** Where a system run's time went, in seconds from writing the config (from the apps' own logs). */
export interface SystemTimeline {
  readonly published?: number;
  readonly firstWrite?: number;
  readonly lastWrite?: number;
  readonly converged: number;
}

export interface SystemResult extends PhaseResult {
  readonly writers: number;
  /** WRITER_CONCURRENCY of each writer. */
  readonly concurrency: number;
  readonly timeline: SystemTimeline;
  /** Every key enqueued once more, all mirrors in sync: what a periodic resync costs. */
  readonly resync?: PhaseResult;
  /** host-watcher and tenant-watcher restarted: what catching up after a restart costs. */
  readonly watchersRestarted?: PhaseResult;
}

export interface SystemPhaseOptions {
  /** The tenant's name, also the prefix of its target namespaces (default `w<writers>`). */
  readonly tenant?: string;
  /** Also measure a full resync and a restart of both watchers on the converged mirrors (default true). */
  readonly steadyState?: boolean;
}

const CONVERGE_TIMEOUT_MS = 15 * 60_000;

/** The mappings of one phase: source svc-i to `<prefix>-<i mod namespaces>/svc-i`. */
export function phaseMappings(env: ScaleEnvironment, tenant: string, prefix: string, namespaces: number): Mapping[] {
  return env.sources.map((source, i) => ({
    tenant,
    direction: 'fromHost',
    source: { namespace: SOURCE_NAMESPACE, name: source.metadata?.name ?? '' },
    target: { namespace: `${prefix}-${i % namespaces}`, name: source.metadata?.name ?? '' },
  }));
}

export function targetNamespaces(prefix: string, namespaces: number): string[] {
  return Array.from({ length: namespaces }, (_, i) => `${prefix}-${i}`);
}

function expectedMirrors(env: ScaleEnvironment, mappings: readonly Mapping[]): ExpectedMirror[] {
  return mappings.map((mapping, i) => ({ ...mapping.target, address: env.sources[i].spec?.clusterIP ?? '' }));
}

/** The floor: the same mirrors written directly with client-node, `concurrency` at a time. */
export async function floorPhase(env: ScaleEnvironment, prefix: string, namespaces: number, concurrency: number): Promise<PhaseResult> {
  const mappings = phaseMappings(env, 'floor', prefix, namespaces);
  await env.createNamespaces('tenant', targetNamespaces(prefix, namespaces));
  const count = await MirrorCount.start(env.tenant.kubeConfig, targetNamespaces(prefix, namespaces), expectedMirrors(env, mappings));
  try {
    const before = await readLoad(env.loadSources());
    const start = performance.now();
    await writeMirrorsDirectly(env.tenant.kubeconfigPath, mappings.map((mapping, i) => ({ source: env.sources[i], mapping })), concurrency);
    await count.all(CONVERGE_TIMEOUT_MS);
    const seconds = (performance.now() - start) / 1000;
    const load = difference(before, await readLoad(env.loadSources()));
    log(`floor ${prefix} (concurrency ${concurrency}): ${seconds.toFixed(1)} s`);
    return { name: `floor ${prefix}`, seconds, load };
  } finally {
    await count.stop();
  }
}

/**
 * The system: the four apps with `writers` writer processes replicate the same mirrors from a
 * published config, measured from writing the config until every mirror is complete and the queue
 * is empty. Then a full resync and a restart of both watchers, on the converged mirrors.
 */
export async function systemPhase(
  env: ScaleEnvironment,
  writers: number,
  namespaces: number,
  appEnv: Readonly<Record<string, string>>,
  options: SystemPhaseOptions = {},
): Promise<SystemResult> {
  const tenant = options.tenant ?? `w${writers}`;
  const concurrency = Number(appEnv.WRITER_CONCURRENCY);
  const mappings = phaseMappings(env, tenant, tenant, namespaces);
  await env.createNamespaces('host', [`vc-${tenant}`]);
  await env.createNamespaces('tenant', targetNamespaces(tenant, namespaces));
  const configFile = await env.startApps(tenant, writers, appEnv);
  const queue = ReconcileQueue.connect(env.redis, 'scale');
  const count = await MirrorCount.start(env.tenant.kubeConfig, targetNamespaces(tenant, namespaces), expectedMirrors(env, mappings));
  try {
    const before = await readLoad(env.loadSources());
    const start = performance.now();
    const fromHost = mappings.map((mapping) => ({ from: `${mapping.source.namespace}/${mapping.source.name}`, to: `${mapping.target.namespace}/${mapping.target.name}` }));
    await writeFile(configFile, stringify({ networking: { replicateServices: { fromHost } } }));
    await count.all(CONVERGE_TIMEOUT_MS);
    const seconds = (performance.now() - start) / 1000;
    await queueDrained(queue);
    const load = difference(before, await readLoad(env.loadSources()));
    const timeline = await timelineOf(env, performance.timeOrigin + start, seconds);
    log(`system, ${writers} writer(s) × ${concurrency}: ${seconds.toFixed(1)} s (${JSON.stringify(timeline)})`);
    const result = { name: `system ${writers}w${options.tenant ? ` × ${concurrency}` : ''}`, writers, concurrency, seconds, load, timeline };
    if (options.steadyState === false) return result;
    const resync = await measured(env, 'resync', async () => {
      await queue.enqueue(mappings.map(mappingKeyOf), 'bench resync');
      await queueDrained(queue);
    });
    const watchersRestarted = await measured(env, 'watchers restarted', async () => {
      for (const app of ['host-watcher', 'tenant-watcher'] as const) {
        await env.apps.process(app)?.stop();
        await env.apps.startApp(app);
      }
      await synced(env, tenant, namespaces);
      await queueDrained(queue);
    });
    return { ...result, resync, watchersRestarted };
  } finally {
    await count.stop();
    await queue.close();
    await env.stopApps();
  }
}

async function measured(env: ScaleEnvironment, name: string, work: () => Promise<void>): Promise<PhaseResult> {
  const before = await readLoad(env.loadSources());
  const start = performance.now();
  await work();
  const seconds = (performance.now() - start) / 1000;
  log(`${name}: ${seconds.toFixed(1)} s`);
  return { name, seconds, load: difference(before, await readLoad(env.loadSources())) };
}

/** Every job done: nothing waiting, prioritised, delayed or active, several readings in a row. */
export async function queueDrained(queue: ReconcileQueue): Promise<void> {
  let quiet = 0;
  for (let waited = 0; quiet < 5; waited += 100) {
    if (waited > CONVERGE_TIMEOUT_MS) throw new Error('the queue did not drain');
    const counts = await queue.queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active');
    quiet = Object.values(counts).every((n) => n === 0) ? quiet + 1 : 0;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The restarted watchers have listed every namespace they follow again. */
async function synced(env: ScaleEnvironment, tenant: string, namespaces: number): Promise<void> {
  const wanted = [...targetNamespaces(tenant, namespaces)];
  for (let waited = 0; ; waited += 100) {
    const [host, tenantMarks] = await Promise.all([env.redis.hkeys('scale:replicator:synced:host'), env.redis.hkeys(`scale:replicator:synced:tenant.${tenant}`)]);
    if (host.includes(SOURCE_NAMESPACE) && wanted.every((namespace) => tenantMarks.includes(namespace))) return;
    if (waited > 120_000) throw new Error('the restarted watchers did not sync');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Milestones from the apps' JSON log lines: config published, first and last mirror written. */
async function timelineOf(env: ScaleEnvironment, startedAt: number, converged: number): Promise<SystemTimeline> {
  const published = await milestoneOf(env.apps, 'config-watcher', startedAt, PUBLISHED);
  const writes = await milestoneOf(env.apps, 'writer', startedAt, WROTE);
  return { published: published.last, firstWrite: writes.first, lastWrite: writes.last, converged: Math.round(converged * 100) / 100 };
}
