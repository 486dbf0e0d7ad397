import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '@service-replicator/control-plane-harness';
import { APP_ENV, BenchEnvironment, type ToHostMode } from './bench-environment';
import { log } from './bench-log';
import { measureFairness } from './fairness';
import { writeFairnessSection } from './fairness-doc';
import { ENTRIES } from './fairness-environment';
import { BenchSession, type DirectionMeasurement } from './bench-session';
import { writeBenchmarkSection, type BenchResult, type DirectionResult } from './benchmarks-doc';
import { milestonesOf, readQueueEvents, readWriterWrites, serverSideCheck, type Milestones } from './change-timeline';
import { roundMs, stageMedians, summarise } from './latency-stats';
import { abortSignals, runInfo } from './run-info';
import { measureTracingOverhead } from './tracing-overhead';
import { writeTracingSection } from './tracing-overhead-doc';

interface Options {
  readonly changes: number;
  readonly timeoutMs: number;
  readonly docs: boolean;
  /** Also print every change's milestones, for looking into a figure. */
  readonly samples: boolean;
  readonly toHostMode: ToHostMode;
  /** Measure with tracing off and on (exported to an in-process OTLP receiver) instead. */
  readonly tracing: boolean;
  /** Measure one tenant's change under another tenant's 10,000-job backlog instead. */
  readonly fairness: boolean;
  readonly help: boolean;
}

const USAGE = `npm run bench -- [options]   (node bench/dist/replication-latency.js after a build)

Starts a host and a tenant control plane, Redis and the four apps, and measures how long a Service
change takes to reach its mirror, both directions; the result is printed as JSON and written to
docs/benchmarks.md.

  --changes=N          sequential changes per direction (default 60)
  --timeout-s=S        give up after S seconds (default 300)
  --to-host-mode=M     selector (default) or endpoints
  --samples            also print every change's milestones
  --tracing            instead: tracing off, on, off (apps restarted, spans exported as OTLP/HTTP JSON to a
                       receiver in this process); writes the "Tracing overhead" section (ratio of medians)
  --fairness           instead: tenant a publishes 10,000 entries, tenant b changes one Service --changes
                       times while that backlog is worked off (default 10); writes the "Fairness" section
  --no-docs            do not write docs/benchmarks.md
  -h, --help           this text`;

function parseOptions(argv: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      changes: { type: 'string', default: '60' },
      'timeout-s': { type: 'string', default: '300' },
      // endpoints by default: in selector mode the writer currently deletes the host EndpointSlices
      // the endpointslice-controller makes (they inherit our labels), so the queue never goes quiet.
      'to-host-mode': { type: 'string', default: 'selector' },
      'no-docs': { type: 'boolean', default: false },
      samples: { type: 'boolean', default: false },
      tracing: { type: 'boolean', default: false },
      fairness: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const toHostMode = values['to-host-mode'];
  if (toHostMode !== 'selector' && toHostMode !== 'endpoints') throw new Error(`--to-host-mode must be selector or endpoints, not ${toHostMode}`);
  const changes = Number(values.fairness && values.changes === '60' ? '10' : values.changes);
  const timeoutS = Number(values['timeout-s']);
  if (!Number.isInteger(changes) || changes < 1) throw new Error(`--changes must be a positive integer, not ${values.changes}`);
  if (!(timeoutS > 0)) throw new Error(`--timeout-s must be a positive number, not ${values['timeout-s']}`);
  return { changes, timeoutMs: timeoutS * 1000, docs: !values['no-docs'], samples: values.samples, toHostMode, tracing: values.tracing, fairness: values.fairness, help: values.help };
}

/** Lays the apps' own records (queue events, writer log) over the samples once, after measuring. */
async function directionResult(env: BenchEnvironment, measured: DirectionMeasurement, withSamples: boolean): Promise<DirectionResult> {
  const [queueEvents, writerLog] = await Promise.all([readQueueEvents(required(env.redis), env.prefix), required(env.replicator).log('writer')]);
  const writes = readWriterWrites(writerLog);
  const milestones = measured.samples.map((sample) => milestonesOf(sample, queueEvents, writes));
  const totals = measured.rounds.map((round) => round.totalMs).sort((a, b) => a - b);
  return {
    sequential: summarise(measured.samples.map((sample) => sample.seenAt - sample.sentAt)),
    floor: summarise(measured.floorMs),
    milestonesMedianMs: stageMedians(milestones, ['sourceWritten', 'queued', 'active', 'mirrorLogged', 'watchSeen']),
    serverSide: serverSideCheck(measured.samples),
    burst: { rounds: measured.rounds, totalMsMedian: totals[Math.ceil(totals.length / 2) - 1] },
    ...(withSamples ? { samples: milestones.map(roundMilestones) } : {}),
  };
}

function roundMilestones(milestones: Milestones): Record<string, number | undefined> {
  return Object.fromEntries(Object.entries(milestones).map(([key, value]) => [key, value === undefined ? undefined : roundMs(value)]));
}

async function runBenchmark(env: BenchEnvironment, options: Options): Promise<BenchResult> {
  const session = await BenchSession.open(env);
  try {
    log('every mirror exists; measuring');
    const ports = { changes: options.changes, firstPort: 10_000, firstBurstPort: 20_000 };
    const fromHost = await session.measure(session.fromHost, 'fh', ports);
    const toHost = await session.measure(session.toHost, 'th', ports);
    return {
      ...runInfo(),
      settings: { ...APP_ENV, WRITER_CONCURRENCY: '8 (default)', toHostMode: options.toHostMode },
      fromHost: await directionResult(env, fromHost, options.samples),
      toHost: await directionResult(env, toHost, options.samples),
    };
  } finally {
    await session.close();
  }
}

/** `npm run bench`: the replication latency (or, with --tracing, the tracing overhead; with --fairness, fairness). */
export async function runLatencyBenchmark(argv: readonly string[]): Promise<number> {
  const options = parseOptions(argv);
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const aborted = abortSignals(options.timeoutMs);
  aborted.catch(() => undefined); // raced below; a limit reached while cleaning up must not crash the clean-up
  let env: BenchEnvironment | undefined;
  const docs = join(repoRoot, 'docs', 'benchmarks.md');
  try {
    if (options.fairness) {
      const measured = await Promise.race([measureFairness(options.changes), aborted]);
      const result = { ...runInfo(), settings: { ...APP_ENV, MAX_MAPPINGS_PER_TENANT: String(ENTRIES), WRITER_CONCURRENCY: '8 (default)' }, ...measured };
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      if (options.docs) await writeFairnessSection(docs, result);
      return 0;
    }
    log('starting host and tenant control planes, Redis and the four apps');
    env = await Promise.race([BenchEnvironment.start(options.toHostMode), aborted]);
    if (options.tracing) {
      const overhead = await Promise.race([measureTracingOverhead(env, options.changes), aborted]);
      const result = { ...runInfo(), settings: { ...APP_ENV, toHostMode: options.toHostMode }, ...overhead };
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      if (options.docs) await writeTracingSection(docs, result);
      return 0;
    }
    const result = await Promise.race([runBenchmark(env, options), aborted]);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    if (options.docs) await writeBenchmarkSection(docs, result);
    return 0;
  } catch (error) {
    log(`failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    return 1;
  } finally {
    log('stopping everything');
    await env?.stop();
  }
}

function required<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('the bench environment is not started');
  return value;
}
