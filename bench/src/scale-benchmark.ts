import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '@service-replicator/control-plane-harness';
import { writeDocSection } from './benchmarks-doc';
import { measurePassCost, measurePublishCost, type PassCost, type PublishCost } from './pass-cost';
import { runMeasured } from './bench-run';
import { runInfo } from './run-info';
import { ScaleEnvironment } from './scale-environment';
import { floorPhase, systemPhase, type PhaseResult, type SystemResult } from './scale-phases';
import { renderScaleSection } from './scale-doc';

const USAGE = `npm run bench -- --scale [options]   (node bench/dist/main.js --scale after a build)

Starts a host and a tenant control plane and Redis, creates N host Services, and measures, in one
run: the floor (the same tenant Services + EndpointSlices written directly with client-node, same
concurrency), the system replicating them from a published config with 1, 2 and 4 writers (each
followed by a full resync and a restart of both watchers), the floor again; then the scale-out
series: 1, 2 and 4 writers at a low WRITER_CONCURRENCY, each beside a floor at the same total
concurrency, where the machine has cores to spare; and the CPU of a writer's pass at 10 and
10,000 mappings. Counts API requests by verb (kube-apiserver /metrics),
Redis commands (INFO commandstats) and CPU seconds per process; writes docs/benchmarks.md.

  --mappings=N         fromHost mappings (default 2000)
  --namespaces=N       tenant namespaces they are spread over (default 4)
  --writers=LIST       writer processes per system run (default 1,2,4)
  --concurrency=N      WRITER_CONCURRENCY, and the floor's concurrency per writer (default 8)
  --scale-out=LIST     writer processes per run of the scale-out series (default 1,2,4; 0: none)
  --scale-out-concurrency=N  WRITER_CONCURRENCY in the scale-out series (default 1)
  --timeout-s=S        give up after S seconds (default 3600)
  --no-docs            do not write docs/benchmarks.md
  -h, --help           this text`;

export type FloorResult = PhaseResult & { readonly concurrency: number };

export interface ScaleResult extends ReturnType<typeof runInfo> {
  readonly mappings: number;
  readonly namespaces: number;
  readonly concurrency: number;
  readonly settings: Readonly<Record<string, string>>;
  readonly floors: readonly FloorResult[];
  readonly systems: readonly SystemResult[];
  /** Writers at a low concurrency, each beside a floor of the same total concurrency. */
  readonly scaleOut: { readonly concurrency: number; readonly floors: readonly FloorResult[]; readonly systems: readonly SystemResult[] };
  readonly passCost: readonly PassCost[];
  readonly publishCost: PublishCost;
}

interface Options {
  readonly mappings: number;
  readonly namespaces: number;
  readonly writers: readonly number[];
  readonly concurrency: number;
  readonly scaleOut: readonly number[];
  readonly scaleOutConcurrency: number;
  readonly timeoutMs: number;
  readonly docs: boolean;
  readonly help: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      mappings: { type: 'string', default: '2000' },
      namespaces: { type: 'string', default: '4' },
      writers: { type: 'string', default: '1,2,4' },
      concurrency: { type: 'string', default: '8' },
      'scale-out': { type: 'string', default: '1,2,4' },
      'scale-out-concurrency': { type: 'string', default: '1' },
      'timeout-s': { type: 'string', default: '3600' },
      'no-docs': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const positive = (name: string, value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, not ${value}`);
    return n;
  };
  return {
    mappings: positive('mappings', values.mappings),
    namespaces: positive('namespaces', values.namespaces),
    writers: values.writers.split(',').map((w) => positive('writers', w)),
    concurrency: positive('concurrency', values.concurrency),
    scaleOut: values['scale-out'] === '0' ? [] : values['scale-out'].split(',').map((w) => positive('scale-out', w)),
    scaleOutConcurrency: positive('scale-out-concurrency', values['scale-out-concurrency']),
    timeoutMs: positive('timeout-s', values['timeout-s']) * 1000,
    docs: !values['no-docs'],
    help: values.help,
  };
}

/** Settings the apps run with in every system phase. */
function appEnv(options: Pick<Options, 'concurrency' | 'mappings'>): Record<string, string> {
  // A periodic resync or sweep is a separate load, measured on its own below; keep it out of convergence.
  // CONFIG_POLL_MS stays at its default: config-watcher watches the config's folder and sees the write at once.
  const env: Record<string, string> = { WRITER_CONCURRENCY: String(options.concurrency), RESYNC_INTERVAL_SECONDS: '3600', ORPHAN_SWEEP_INTERVAL_SECONDS: '3600', LOG_LEVEL: 'info' };
  // One tenant holds every mapping: the per-tenant limit must not refuse the benchmark's config.
  env.MAX_MAPPINGS_PER_TENANT = String(Math.max(options.mappings, 2_000));
  // For looking into a figure: SCALE_NODE_OPTIONS=--cpu-prof writes each app's CPU profile as it stops.
  if (process.env.SCALE_NODE_OPTIONS) env.NODE_OPTIONS = process.env.SCALE_NODE_OPTIONS;
  return env;
}

async function measure(env: ScaleEnvironment, options: Options): Promise<ScaleResult> {
  await env.createSources(options.mappings);
  const floors: FloorResult[] = [];
  const systems: SystemResult[] = [];
  const floorAt = async (name: string, concurrency: number): Promise<FloorResult> => ({ ...(await floorPhase(env, name, options.namespaces, concurrency)), concurrency });
  const floor = async (name: string, concurrency: number) => floors.push(await floorAt(name, concurrency));
  // floor, system, floor at one writer's concurrency; then each larger writer count beside its own floor.
  await floor('floor-a', options.concurrency);
  for (const writers of options.writers) {
    if (writers > 1) await floor(`floor-w${writers}`, writers * options.concurrency);
    systems.push(await systemPhase(env, writers, options.namespaces, appEnv(options)));
    if (writers === options.writers[0]) await floor('floor-b', options.concurrency);
  }
  // At a concurrency one writer cannot saturate the machine with: does a second writer double the throughput?
  const scaleOut = { concurrency: options.scaleOutConcurrency, floors: [] as FloorResult[], systems: [] as SystemResult[] };
  for (const writers of options.scaleOut) {
    const name = `c${options.scaleOutConcurrency}w${writers}`;
    scaleOut.floors.push(await floorAt(`floor-${name}`, writers * options.scaleOutConcurrency));
    const settings = appEnv({ ...options, concurrency: options.scaleOutConcurrency });
    scaleOut.systems.push(await systemPhase(env, writers, options.namespaces, settings, { tenant: name, steadyState: false }));
  }
  const passCost = [await measurePassCost(env, 10, 2000), await measurePassCost(env, 10_000, 2000)];
  const publishCost = await measurePublishCost(env, 10_000);
  return { ...runInfo(), mappings: options.mappings, namespaces: options.namespaces, concurrency: options.concurrency, settings: appEnv(options), floors, systems, scaleOut, passCost, publishCost };
}

export async function runScaleBenchmark(argv: readonly string[]): Promise<number> {
  const options = parseOptions(argv);
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  return runMeasured(
    { timeoutMs: options.timeoutMs, starting: 'starting host and tenant control planes and Redis' },
    () => ScaleEnvironment.start(),
    (env) => measure(env, options),
    async (result) => {
      if (options.docs) await writeDocSection(join(repoRoot, 'docs', 'benchmarks.md'), 'scale', renderScaleSection(result));
    },
  );
}
