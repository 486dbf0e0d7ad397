import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import type { CoreV1Api, V1Service } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import { repoRoot } from '@service-replicator/control-plane-harness';
import { ReconcileQueue } from '@service-replicator/replication-queue';
import { APP_ENV, BenchEnvironment, TENANT_HOST_NAMESPACE, type ToHostMode } from './bench-environment';
import { writeBenchmarkSection, type BenchResult, type DirectionResult } from './benchmarks-doc';
import { milestonesOf, readQueueEvents, readWriterWrites, serverSideCheck, type ChangeSample, type Milestones } from './change-timeline';
import { measureBurst, measureSequential, waitForQuietQueue, type BurstRound, type DirectionUnderTest } from './latency-phases';
import { roundMs, stageMedians, summarise } from './latency-stats';
import { ServiceWatch } from './service-watch';

const BURST_SERVICES = 20;
/** One burst is one sample; three show whether its figure is stable. */
const BURST_ROUNDS = 3;
const TENANT_NAMESPACE = 'default';
const SEQUENTIAL = 'seq';
/** Other work on the machine skews every figure; the load before we start anything shows it. */
const LOAD_BEFORE_START = loadavg()[0];
const burstNames = Array.from({ length: BURST_SERVICES }, (_, i) => `burst-${i}`);

interface Options {
  readonly changes: number;
  readonly timeoutMs: number;
  readonly docs: boolean;
  /** Also print every change's milestones, for looking into a figure. */
  readonly samples: boolean;
  readonly toHostMode: ToHostMode;
}

function parseOptions(argv: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      changes: { type: 'string', default: '60' },
      'timeout-s': { type: 'string', default: '300' },
      // endpoints by default: in selector mode the writer currently deletes the host EndpointSlices
      // the endpointslice-controller makes (they inherit our labels), so the queue never goes quiet.
      'to-host-mode': { type: 'string', default: 'endpoints' },
      'no-docs': { type: 'boolean', default: false },
      samples: { type: 'boolean', default: false },
    },
  });
  const toHostMode = values['to-host-mode'];
  if (toHostMode !== 'selector' && toHostMode !== 'endpoints') throw new Error(`--to-host-mode must be selector or endpoints, not ${toHostMode}`);
  const changes = Number(values.changes);
  const timeoutS = Number(values['timeout-s']);
  if (!Number.isInteger(changes) || changes < 1) throw new Error(`--changes must be a positive integer, not ${values.changes}`);
  if (!(timeoutS > 0)) throw new Error(`--timeout-s must be a positive number, not ${values['timeout-s']}`);
  return { changes, timeoutMs: timeoutS * 1000, docs: !values['no-docs'], samples: values.samples, toHostMode };
}

const log = (message: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 23)}] ${message}\n`);

function serviceBody(name: string, port: number): V1Service {
  return { metadata: { name }, spec: { selector: { app: name }, ports: [{ name: 'main', port, targetPort: 8080 }] } };
}

/** Creates every source, maps them all in both directions, and waits until every mirror exists. */
async function createMappedServices(env: BenchEnvironment, hostMirrors: ServiceWatch, tenantMirrors: ServiceWatch): Promise<void> {
  const names = [SEQUENTIAL, ...burstNames];
  for (const name of names) {
    await env.hostCore.createNamespacedService({ namespace: 'shared', body: serviceBody(`fh-${name}`, 1000) });
    await env.tenantCore.createNamespacedService({ namespace: TENANT_NAMESPACE, body: serviceBody(`th-${name}`, 1000) });
  }
  await env.configure({
    fromHost: names.map((name) => ({ from: `shared/fh-${name}`, to: `${TENANT_NAMESPACE}/fh-${name}` })),
    toHost: names.map((name) => ({ from: `${TENANT_NAMESPACE}/th-${name}`, to: `th-${name}` })),
  });
  const exists = () => true;
  await Promise.all(names.flatMap((name) => [tenantMirrors.waitFor(`fh-${name}`, exists, 60_000), hostMirrors.waitFor(`th-${name}`, exists, 60_000)]));
}

async function measureDirection(direction: DirectionUnderTest, prefix: string, options: Options, queue: ReconcileQueue): Promise<{ samples: ChangeSample[]; rounds: BurstRound[] }> {
  log(`${direction.name}: ${options.changes} sequential changes`);
  const samples = await measureSequential(direction, `${prefix}-${SEQUENTIAL}`, {
    changes: options.changes,
    firstPort: 10_000,
    queue,
    progress: (done) => done % 10 === 0 && log(`${direction.name}: ${done}/${options.changes}`),
  });
  const rounds: BurstRound[] = [];
  for (let round = 0; round < BURST_ROUNDS; round++) {
    rounds.push(await measureBurst(direction, burstNames.map((name) => `${prefix}-${name}`), 20_000 + round, queue));
    log(`${direction.name}: burst ${round + 1}/${BURST_ROUNDS}: ${rounds[round].totalMs} ms`);
  }
  return { samples, rounds };
}

/** Lays the apps' own records (queue events, writer log) over the samples once, after measuring. */
async function directionResult(env: BenchEnvironment, measured: { samples: ChangeSample[]; rounds: BurstRound[] }, withSamples: boolean): Promise<DirectionResult> {
  const [queueEvents, writerLog] = await Promise.all([readQueueEvents(required(env.redis), env.prefix), required(env.replicator).log('writer')]);
  const writes = readWriterWrites(writerLog);
  const milestones = measured.samples.map((sample) => milestonesOf(sample, queueEvents, writes));
  const totals = measured.rounds.map((round) => round.totalMs).sort((a, b) => a - b);
  return {
    sequential: summarise(measured.samples.map((sample) => sample.seenAt - sample.sentAt)),
    milestonesMedianMs: stageMedians(milestones, ['sourceWritten', 'queued', 'active', 'mirrorLogged', 'watchSeen']),
    serverSide: serverSideCheck(measured.samples),
    burst: { rounds: measured.rounds, totalMsMedian: totals[Math.ceil(totals.length / 2) - 1] },
    ...(withSamples ? { samples: milestones.map(roundMilestones) } : {}),
  };
}

function roundMilestones(milestones: Milestones): Record<string, number | undefined> {
  return Object.fromEntries(Object.entries(milestones).map(([key, value]) => [key, value === undefined ? undefined : roundMs(value)]));
}

function direction(name: DirectionUnderTest['name'], sourceCore: CoreV1Api, sourceNamespace: string, mirrors: ServiceWatch): DirectionUnderTest {
  return { name, sourceCore, sourceNamespace, mirrors };
}

async function runBenchmark(env: BenchEnvironment, options: Options, watches: ServiceWatch[]): Promise<BenchResult> {
  const [host, tenant] = [required(env.host), required(env.tenant)];
  const hostMirrors = await ServiceWatch.start(host.kubeConfig, TENANT_HOST_NAMESPACE);
  const tenantMirrors = await ServiceWatch.start(tenant.kubeConfig, TENANT_NAMESPACE);
  watches.push(hostMirrors, tenantMirrors);
  const queueConnection = new Redis(required(env.redisServer).url, { maxRetriesPerRequest: 1 });
  // Failed commands still reject; this only keeps ioredis from also printing every reconnect attempt.
  queueConnection.on('error', () => undefined);
  const queue = new ReconcileQueue(queueConnection, env.prefix);
  try {
    await createMappedServices(env, hostMirrors, tenantMirrors);
    await waitForQuietQueue(queue);
    log('every mirror exists; measuring');
    const fromHost = await measureDirection(direction('fromHost', env.hostCore, 'shared', tenantMirrors), 'fh', options, queue);
    const toHost = await measureDirection(direction('toHost', env.tenantCore, TENANT_NAMESPACE, hostMirrors), 'th', options, queue);
    return {
      date: new Date().toISOString(),
      command: commandLine(),
      code: measuredCode(),
      machine: machine(),
      settings: { ...APP_ENV, WRITER_CONCURRENCY: '8 (default)', toHostMode: options.toHostMode },
      fromHost: await directionResult(env, fromHost, options.samples),
      toHost: await directionResult(env, toHost, options.samples),
    };
  } finally {
    await queue.close();
    queueConnection.disconnect();
  }
}

function machine(): BenchResult['machine'] {
  return {
    nproc: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    os: `Linux ${release()}`,
    loadAverage1mBeforeStart: Math.round(LOAD_BEFORE_START * 100) / 100,
  };
}

/** Ties the figures to code: other engineers change apps/ and libs/ while benchmarks run. */
function measuredCode(): BenchResult['code'] {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();
  try {
    return { commit: git('rev-parse', '--short', 'HEAD'), uncommittedAppOrLibChanges: git('status', '--porcelain', '--', 'apps', 'libs') !== '' };
  } catch {
    return { commit: 'unknown', uncommittedAppOrLibChanges: null };
  }
}

function commandLine(): string {
  return ['node', relative(repoRoot, process.argv[1]), ...process.argv.slice(2)].join(' ');
}

function required<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('the bench environment is not started');
  return value;
}

/**
 * Rejects after the time limit or on SIGINT/SIGTERM, so the finally below still stops everything.
 * A second signal exits at once; the harness's exit hook still kills every server it started.
 */
function abortSignals(timeoutMs: number): Promise<never> {
  return new Promise((_, reject) => {
    const timer = setTimeout(() => reject(new Error(`benchmark exceeded its ${timeoutMs / 1000} s limit`)), timeoutMs);
    timer.unref();
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (signalled) process.exit(130);
      signalled = true;
      reject(new Error(`stopped by ${signal}`));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const aborted = abortSignals(options.timeoutMs);
  aborted.catch(() => undefined); // raced below; a limit reached while cleaning up must not crash the clean-up
  let env: BenchEnvironment | undefined;
  const watches: ServiceWatch[] = [];
  try {
    log('starting host and tenant control planes, Redis and the four apps');
    env = await Promise.race([BenchEnvironment.start(options.toHostMode), aborted]);
    const result = await Promise.race([runBenchmark(env, options, watches), aborted]);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    if (options.docs) await writeBenchmarkSection(join(repoRoot, 'docs', 'benchmarks.md'), result);
    return 0;
  } catch (error) {
    log(`failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    return 1;
  } finally {
    watches.forEach((watch) => watch.stop());
    log('stopping everything');
    await env?.stop();
  }
}

// Exits explicitly: after a timeout the abandoned measurement may still hold timers or sockets.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(error instanceof Error ? error.message : String(error));
    process.exit(2);
  },
);
