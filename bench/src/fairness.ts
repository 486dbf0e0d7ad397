import { performance } from 'node:perf_hooks';
import { log } from './bench-log';
import { BUSY, ENTRIES, FairnessEnvironment, QUIET } from './fairness-environment';
import { roundMs, summarise, type LatencySummary } from './latency-stats';
import { ServiceWatch } from './service-watch';

/** One change of tenant b's source: how long its mirror took, and how many jobs were queued at the time. */
export interface FairnessSample {
  readonly latencyMs: number;
  readonly backlogBefore: number;
}

export interface FairnessMeasurement {
  readonly entries: number;
  /** Tenant b's changes with an empty queue. */
  readonly idle: LatencySummary;
  /** Tenant b's changes while tenant a's backlog was being worked off. */
  readonly underBacklog: LatencySummary;
  readonly samples: readonly FairnessSample[];
  /** The largest backlog seen, and how long tenant a's publication took to work off. */
  readonly peakBacklog: number;
  readonly drainSeconds: number;
}

const CHANGE_TIMEOUT_MS = 120_000;
/** Between two changes of b under the backlog, so they sample it over its whole life. */
const SPACING_MS = 2_000;

/**
 * Fair share, measured: tenant a publishes ENTRIES fromHost entries at once (ENTRIES jobs, each
 * creating a Service and an EndpointSlice in tenant a), and tenant b then changes its one Service,
 * again and again, while that backlog is worked off. Each job is prioritised by its place in its
 * tenant's batch, so b's single change takes the next free slot instead of queueing behind a's
 * 10,000: its mirror should follow in about the time it takes with an empty queue.
 */
export async function measureFairness(changes: number): Promise<FairnessMeasurement> {
  log('starting a host and two tenant control planes, Redis and the four apps');
  const env = await FairnessEnvironment.start();
  const watch = await ServiceWatch.start(env.tenants[QUIET].kubeConfig, 'default');
  try {
    await env.configure(QUIET, [{ from: 'shared/b-svc', to: 'default/b-svc' }]);
    await watch.waitFor('b-svc', () => true, CHANGE_TIMEOUT_MS);
    let port = 1_000;
    const change = async () => measureChange(env, watch, (port += 1));
    log(`tenant ${QUIET}: ${changes} changes with an empty queue`);
    const idle: FairnessSample[] = [];
    for (let i = 0; i < changes; i += 1) idle.push(await change());

    log(`tenant ${BUSY}: publishing ${ENTRIES} entries`);
    const published = performance.now();
    await env.configure(BUSY, Array.from({ length: ENTRIES }, (_, n) => ({ from: 'shared/hub', to: `default/m-${n}` })));
    let peakBacklog = await waitForBacklog(env, ENTRIES / 2);
    const underBacklog: FairnessSample[] = [];
    while (underBacklog.length < changes) {
      const sample = await change();
      if (sample.backlogBefore < ENTRIES / 20) break;
      underBacklog.push(sample);
      peakBacklog = Math.max(peakBacklog, sample.backlogBefore);
      log(`  backlog ${sample.backlogBefore}: tenant ${QUIET}'s mirror followed in ${roundMs(sample.latencyMs)} ms`);
      await new Promise((resolve) => setTimeout(resolve, SPACING_MS));
    }
    await waitForBacklog(env, 0, 'drained');
    const drainSeconds = Math.round((performance.now() - published) / 100) / 10;
    log(`tenant ${BUSY}'s ${ENTRIES} entries worked off in ${drainSeconds} s`);
    return {
      entries: ENTRIES,
      idle: summarise(idle.map((s) => s.latencyMs)),
      underBacklog: summarise(underBacklog.map((s) => s.latencyMs)),
      samples: underBacklog.map((s) => ({ latencyMs: roundMs(s.latencyMs), backlogBefore: s.backlogBefore })),
      peakBacklog,
      drainSeconds,
    };
  } finally {
    watch.stop();
    await env.stop();
  }
}

/** Changes b's source port and waits for b's mirror to carry it (a watch event, not a poll). */
async function measureChange(env: FairnessEnvironment, watch: ServiceWatch, port: number): Promise<FairnessSample> {
  const backlogBefore = await env.backlog();
  const arrived = watch.waitFor('b-svc', (service) => service.spec?.ports?.[0]?.port === port, CHANGE_TIMEOUT_MS);
  const sentAt = performance.now();
  await env.hostCore.patchNamespacedService({ namespace: 'shared', name: 'b-svc', body: [{ op: 'replace', path: '/spec/ports/0/port', value: port }] });
  const { at } = await arrived;
  return { latencyMs: at - sentAt, backlogBefore };
}

/** Polls the queue until its backlog is at least `size` (or, `drained`, at most that); returns it. */
async function waitForBacklog(env: FairnessEnvironment, size: number, drained?: 'drained'): Promise<number> {
  for (;;) {
    const backlog = await env.backlog();
    if (drained ? backlog <= size : backlog >= size) return backlog;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
