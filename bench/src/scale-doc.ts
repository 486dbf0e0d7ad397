import { BENCHMARK_PROCESS, total, type LoadReading } from './load-counters';
import type { PhaseResult } from './scale-phases';
import type { ScaleResult } from './scale-benchmark';

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
const perMapping = (count: number, result: ScaleResult) => round(count / result.mappings, 3);
const isApp = (label: string) => ['config-watcher', 'host-watcher', 'tenant-watcher', 'writer'].includes(label);

/** The "Scale" section of docs/benchmarks.md, from one run of `npm run bench -- --scale`. */
export function renderScaleSection(result: ScaleResult): string {
  const { machine } = result;
  return [
    '## Scale',
    '',
    `Measured ${result.date} on ${machine.nproc} CPUs (${machine.cpu}), ${machine.memoryGiB} GiB memory, ${machine.os}, Node ${machine.node}; 1-minute load average before the benchmark started anything: ${machine.loadAverage1mBeforeStart}.`,
    `Command: \`${result.command}\`, at commit ${result.code.commit}${result.code.uncommittedAppOrLibChanges ? ' with uncommitted changes in apps/ or libs/' : ''}.`,
    `${result.mappings} fromHost mappings (ClusterIP host Services) across ${result.namespaces} tenant namespaces, one tenant. Apps: ${Object.entries(result.settings).map(([k, v]) => `${k}=${v}`).join(', ')}.`,
    '',
    ...convergence(result),
    ...scaleOut(result),
    ...requests(result),
    ...redisCommands(result),
    ...cpu(result),
    ...steadyState(result),
    ...passCost(result),
    ...reading(),
  ].join('\n');
}

/** Cores the whole machine was busy during a run. */
function machineBusy(phase: PhaseResult): number {
  return round(phase.load.machineBusy / phase.seconds);
}

/** The floor at a total concurrency: the mean of its runs (before and after the system, where there are two). */
function floorFor(result: ScaleResult, concurrency: number): number {
  const seconds = result.floors.filter((floor) => floor.concurrency === concurrency).map((floor) => floor.seconds);
  return seconds.length === 0 ? NaN : seconds.reduce((sum, s) => sum + s, 0) / seconds.length;
}

function convergence(result: ScaleResult): string[] {
  const one = result.systems[0];
  const rows = [
    ...result.floors.map((floor) => `| ${floor.name}: direct writes, concurrency ${floor.concurrency} | ${round(floor.seconds, 1)} | | ${round(result.mappings / floor.seconds, 1)} | |`),
    ...result.systems.map((system) => {
      const floor = floorFor(result, system.writers * result.concurrency);
      const scaleOut = one ? `${round(one.seconds / system.seconds)}x` : '';
      return `| system, ${system.writers} writer(s) × ${result.concurrency} | ${round(system.seconds, 1)} | ${round(system.seconds / floor)}x | ${round(result.mappings / system.seconds, 1)} | ${scaleOut} |`;
    }),
  ];
  return [
    '### Convergence: every tenant Service and its EndpointSlice correct',
    '',
    'From writing the config (system) or the first request (floor) until a watch on the tenant cluster has seen every',
    'mirror complete. Ratio: to the floor at the same total concurrency (the mean where there are two).',
    '',
    '| run | seconds | ratio to floor | mirrors/s | throughput vs 1 writer |',
    '| --- | --: | --: | --: | --: |',
    ...rows,
    '',
    ...timelines(result),
    ...saturation(result),
  ];
}

/** Where each system run's time went: config published, first and last mirror written (from the apps' logs). */
function timelines(result: ScaleResult): string[] {
  const cell = (t: number | undefined) => (t === undefined ? '–' : String(round(t, 1)));
  return [
    'Where a system run\'s time went, in seconds after the config was written (from the apps\' own log lines):',
    '',
    '| run | config published | first mirror written | last mirror written | all complete |',
    '| --- | --: | --: | --: | --: |',
    ...result.systems.map((s) => `| ${s.name} | ${cell(s.timeline.published)} | ${cell(s.timeline.firstWrite)} | ${cell(s.timeline.lastWrite)} | ${cell(s.timeline.converged)} |`),
    '',
    'config-watcher takes a file only once it has been stable for CONFIG_SETTLE_MS (1 s), so that a half-written file is never read',
    'as a config: that second is in every system run and in no floor.',
    '',
  ];
}

/** How busy the tenant API server (and its etcd) and the whole machine were: where the bottleneck is. */
function saturation(result: ScaleResult): string[] {
  const phases: PhaseResult[] = [...result.floors, ...result.systems];
  const row = (phase: PhaseResult) => {
    const cores = (match: (label: string) => boolean) => round(total(phase.load.cpu, match) / phase.seconds);
    return `| ${phase.name} | ${cores((l) => l === 'tenant kube-apiserver')} | ${cores((l) => l === 'tenant etcd')} | ${cores(isApp)} | ${cores((l) => l === BENCHMARK_PROCESS)} | ${cores(() => true)} | ${machineBusy(phase)} |`;
  };
  return [
    'CPU in use during each run (cores: CPU seconds / wall seconds; the machine has ' + result.machine.nproc + '). Machine busy: /proc/stat,',
    'every process and the kernel\'s own work, whoever it belongs to:',
    '',
    '| run | tenant kube-apiserver | tenant etcd | our four apps | benchmark process | everything measured | machine busy |',
    '| --- | --: | --: | --: | --: | --: | --: |',
    ...phases.map(row),
    '',
  ];
}

/**
 * Writers at a concurrency one writer cannot saturate the machine with, each beside a floor of the
 * same total concurrency: how throughput grows with writer processes, and how busy the machine is.
 */
function scaleOut(result: ScaleResult): string[] {
  const { concurrency, floors, systems } = result.scaleOut;
  const one = systems[0];
  if (!one) return [];
  const cores = (phase: PhaseResult, match: (label: string) => boolean) => round(total(phase.load.cpu, match) / phase.seconds);
  const busy = (phase: PhaseResult) => `${cores(phase, (l) => l === 'tenant kube-apiserver')} | ${cores(phase, isApp)} | ${cores(phase, () => true)} | ${machineBusy(phase)}`;
  return [
    `### Scaling out: 1, 2 and 4 writers at WRITER_CONCURRENCY=${concurrency}`,
    '',
    `The same ${result.mappings} mappings, each writer taking ${concurrency} job(s) at a time, so that one writer leaves part of the machine`,
    'idle; beside each, the floor at the same total concurrency, which shows how far the API server itself goes faster',
    'with more requests in flight on this machine. Throughput: mirrors/s over the first row\'s.',
    '',
    '| writers | system s | mirrors/s | throughput vs 1 writer | floor s (same concurrency) | floor throughput vs its first row | ratio to floor | cores: tenant kube-apiserver | cores: our apps | cores: everything measured | cores: machine busy |',
    '| --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: |',
    ...systems.map((system, i) => {
      const floor = floors[i];
      const floorCells = floor && floors[0] ? `${round(floor.seconds, 1)} | ${round(floors[0].seconds / floor.seconds)}x | ${round(system.seconds / floor.seconds)}x` : '– | – | –';
      return `| ${system.writers} | ${round(system.seconds, 1)} | ${round(result.mappings / system.seconds, 1)} | ${round(one.seconds / system.seconds)}x | ${floorCells} | ${busy(system)} |`;
    }),
    '',
    'Cores in use by the floors (tenant kube-apiserver, benchmark process, everything measured, machine busy): ' +
      floors.map((floor) => `concurrency ${floor.concurrency}: ${cores(floor, (l) => l === 'tenant kube-apiserver')}, ${cores(floor, (l) => l === BENCHMARK_PROCESS)}, ${cores(floor, () => true)}, ${machineBusy(floor)}`).join('; ') +
      '.',
    '',
  ];
}

function requests(result: ScaleResult): string[] {
  const runs: [string, LoadReading][] = [[result.floors[0]?.name ?? 'floor', result.floors[0].load], ...result.systems.map((s): [string, LoadReading] => [s.name, s.load])];
  const keys = [...new Set(runs.flatMap(([, load]) => [...load.requests.keys()]))].sort();
  return [
    '### API requests per mapping, by cluster, verb and resource (fresh mirrors)',
    '',
    `| request | ${runs.map(([name]) => name).join(' | ')} |`,
    `| --- | ${runs.map(() => '--:').join(' | ')} |`,
    ...keys.map((key) => `| ${key} | ${runs.map(([, load]) => perMapping(load.requests.get(key) ?? 0, result)).join(' | ')} |`),
    `| **all** | ${runs.map(([, load]) => perMapping(total(load.requests), result)).join(' | ')} |`,
    '',
  ];
}

function redisCommands(result: ScaleResult): string[] {
  const runs = result.systems;
  const keys = [...new Set(runs.flatMap((s) => [...s.load.redis.keys()]))].sort((a, b) => (runs[0]?.load.redis.get(b) ?? 0) - (runs[0]?.load.redis.get(a) ?? 0));
  return [
    '### Redis commands per mapping (fresh mirrors)',
    '',
    `| command | ${runs.map((s) => s.name).join(' | ')} |`,
    `| --- | ${runs.map(() => '--:').join(' | ')} |`,
    ...keys.slice(0, 12).map((key) => `| ${key} | ${runs.map((s) => perMapping(s.load.redis.get(key) ?? 0, result)).join(' | ')} |`),
    `| **all** | ${runs.map((s) => perMapping(total(s.load.redis), result)).join(' | ')} |`,
    '',
  ];
}

function cpu(result: ScaleResult): string[] {
  const runs: PhaseResult[] = [result.floors[0], ...result.systems];
  const labels = [...new Set(runs.flatMap((run) => [...run.load.cpu.keys()]))].sort();
  const ms = (run: PhaseResult, match: (l: string) => boolean) => round((total(run.load.cpu, match) * 1000) / result.mappings);
  return [
    '### CPU per mapping, ms, by process (fresh mirrors)',
    '',
    `| process | ${runs.map((run) => run.name).join(' | ')} |`,
    `| --- | ${runs.map(() => '--:').join(' | ')} |`,
    ...labels.map((label) => `| ${label} | ${runs.map((run) => ms(run, (l) => l === label)).join(' | ')} |`),
    `| **our four apps** | ${runs.map((run) => ms(run, isApp)).join(' | ')} |`,
    `| **all** | ${runs.map((run) => ms(run, () => true)).join(' | ')} |`,
    '',
    '`benchmark process`: in a floor, the direct-write client (what the apps replace) and the watch that counts the mirrors;',
    'in a system run, only that watch.',
    '',
  ];
}

function steadyState(result: ScaleResult): string[] {
  const rows = result.systems.flatMap((system) =>
    [system.resync, system.watchersRestarted].filter((phase) => phase !== undefined).map((phase) => {
      const verbs = [...phase.load.requests].map(([key, n]) => `${key}: ${n}`).join(', ') || 'none';
      return `| ${system.name}: ${phase.name} | ${round(phase.seconds, 1)} | ${total(phase.load.requests)} (${verbs}) | ${perMapping(total(phase.load.redis), result)} | ${round((total(phase.load.cpu, isApp) * 1000) / result.mappings)} |`;
    }),
  );
  return [
    '### On converged mirrors: a full resync, and both watchers restarted',
    '',
    'Resync: every key enqueued once more (what RESYNC_INTERVAL_SECONDS does). Watchers restarted: host-watcher and',
    'tenant-watcher stopped and started again; they list their namespaces and compare with the snapshots in Redis.',
    '',
    '| run | seconds | API requests in all | Redis commands per mapping | our apps\' CPU per mapping (ms) |',
    '| --- | --: | --- | --: | --: |',
    ...rows,
    '',
  ];
}

function passCost(result: ScaleResult): string[] {
  const [small, large] = result.passCost;
  const publish = result.publishCost;
  return [
    '### Cost of one pass by tenant size, and of publishing a large config',
    '',
    'A writer pass run in the benchmark process against the same Redis, for a tenant whose mirrors are all in sync',
    '(the pass reads its mapping and both snapshots and records nothing new): CPU per pass, over 2,000 passes.',
    '',
    '| mappings in the tenant | CPU ms per pass | wall ms per pass |',
    '| --: | --: | --: |',
    ...result.passCost.map((cost) => `| ${cost.mappings} | ${round(cost.cpuMsPerPass, 3)} | ${round(cost.wallMsPerPass, 3)} |`),
    '',
    small && large ? `Ratio at ${large.mappings} to ${small.mappings} mappings: ${round(large.cpuMsPerPass / small.cpuMsPerPass)}x.` : '',
    '',
    `Publishing a ${publish.mappings}-entry vcluster.yaml, as config-watcher does it (parse and validate, diff against what is in force,`,
    `publish, enqueue every key): ${round(publish.totalMs, 0)} ms (parse and diff ${round(publish.parseMs, 0)} ms, publish ${round(publish.publishMs, 0)} ms, enqueue ${round(publish.enqueueMs, 0)} ms).`,
    '',
  ];
}

function reading(): string[] {
  return [
    '### Reading these figures',
    '',
    '- API requests come from each kube-apiserver\'s own `apiserver_request_total`; a watch is counted when it ends, so',
    '  watches held open through a run (the apps\' informers, the benchmark\'s own watch) are not in it. Requests of',
    '  kube-controller-manager are in every column alike.',
    '- Everything runs on one machine: API servers, etcd, Redis, the apps and the benchmark share its cores, so time',
    '  ratios move with other load; request, command and CPU counts per mapping do not. "Machine busy" (from /proc/stat)',
    '  against the number of cores says whether a run had CPU to spare: where it is at the core count, throughput is',
    '  bounded by CPU seconds per mirror, whatever the concurrency or the number of writers.',
    '',
  ];
}
