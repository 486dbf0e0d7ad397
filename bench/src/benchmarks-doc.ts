import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ServerSideCheck } from './change-timeline';
import type { BurstRound } from './latency-phases';
import type { LatencySummary } from './latency-stats';

export interface DirectionResult {
  readonly sequential: LatencySummary;
  /** A PATCH of an unmapped Service beside the mirrors, to the watch event carrying it. */
  readonly floor: LatencySummary;
  /** Median ms after the PATCH at which each milestone was reached (null: not found in the logs). */
  readonly milestonesMedianMs: Record<string, number | null>;
  readonly serverSide: ServerSideCheck;
  readonly burst: { readonly rounds: readonly BurstRound[]; readonly totalMsMedian: number };
  /** Every change's milestones (only with --samples). */
  readonly samples?: readonly Readonly<Record<string, number | undefined>>[];
}

export interface BenchResult {
  readonly date: string;
  readonly command: string;
  /** The commit measured, and whether apps/ or libs/ had uncommitted changes at the time. */
  readonly code: { readonly commit: string; readonly uncommittedAppOrLibChanges: boolean | null };
  readonly machine: { readonly nproc: number; readonly memoryGiB: number; readonly cpu: string; readonly node: string; readonly os: string; readonly loadAverage1mBeforeStart: number };
  readonly settings: Readonly<Record<string, string>>;
  readonly fromHost: DirectionResult;
  readonly toHost: DirectionResult;
}

const HEADER = '# Benchmarks\n\nFigures measured on real API servers and Redis, with the apps run as processes. Each section is\nrewritten by the benchmark that produces it.\n';

/** Replaces this benchmark's section (between its markers), or appends it; other sections stay. */
export async function writeBenchmarkSection(file: string, result: BenchResult): Promise<void> {
  await writeDocSection(file, 'replication-latency', renderSection(result));
}

/** Replaces the section between `<!-- name:start -->` and `<!-- name:end -->`, or appends it. */
export async function writeDocSection(file: string, name: string, body: string): Promise<void> {
  const [start, end] = [`<!-- ${name}:start -->`, `<!-- ${name}:end -->`];
  const current = existsSync(file) ? await readFile(file, 'utf8') : HEADER;
  const section = `${start}\n${body}${end}`;
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  const next = from >= 0 && to > from
    ? current.slice(0, from) + section + current.slice(to + end.length)
    : `${current.trimEnd()}\n\n${section}\n`;
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, next);
}

/** When, on what and on which code a section's figures were measured, and the apps' settings. */
export function provenance(result: Pick<BenchResult, 'date' | 'command' | 'code' | 'machine' | 'settings'>): string[] {
  const { machine } = result;
  return [
    `Measured ${result.date} on ${machine.nproc} CPUs (${machine.cpu}), ${machine.memoryGiB} GiB memory, Node ${machine.node}; 1-minute load average before the benchmark started anything: ${machine.loadAverage1mBeforeStart}.`,
    `Command: \`${result.command}\`, at commit ${result.code.commit}${result.code.uncommittedAppOrLibChanges ? ' with uncommitted changes in apps/ or libs/' : ''}.`,
    `Apps: ${Object.entries(result.settings).map(([key, value]) => `${key}=${value}`).join(', ')}.`,
  ];
}

function renderSection(result: BenchResult): string {
  const { machine } = result;
  const directions = [['fromHost (host Service → tenant Service)', result.fromHost], ['toHost (tenant Service → host Service)', result.toHost]] as const;
  return [
    '## Replication latency',
    '',
    `Measured ${result.date} on ${machine.nproc} CPUs (${machine.cpu}), ${machine.memoryGiB} GiB memory, ${machine.os}, Node ${machine.node}; 1-minute load average before the benchmark started anything: ${machine.loadAverage1mBeforeStart}.`,
    `Command: \`${result.command}\` (what \`npm run bench\` runs after building), at commit ${result.code.commit}${result.code.uncommittedAppOrLibChanges ? ' with uncommitted changes in apps/ or libs/' : ''}.`,
    `Apps: ${Object.entries(result.settings).map(([key, value]) => `${key}=${value}`).join(', ')}.`,
    '',
    '### One change at a time',
    '',
    'From just before the PATCH of the source Service\'s port is sent until a watch on the mirror delivers the',
    'event carrying the new port. Each change starts once the queue has been empty for 250 ms.',
    '',
    '| direction | n | min | median | p90 | p99 | max | mean |',
    '| --- | --: | --: | --: | --: | --: | --: | --: |',
    ...directions.map(([label, d]) => `| ${label} | ${cells(d.sequential)} |`),
    ...directions.map(([label, d]) => `| floor: PATCH → watch in the target cluster of ${label.split(' ')[0]} | ${cells(d.floor)} |`),
    '',
    'Ratio to the floor, measured alternately with each change (one floor PATCH, then one replicated change):',
    '',
    '| direction | median | p99 |',
    '| --- | --: | --: |',
    ...directions.map(([label, d]) => `| ${label} | ${ratio(d.sequential.median, d.floor.median)}x | ${ratio(d.sequential.p99, d.floor.p99)}x |`),
    '',
    p99Note(result.fromHost.sequential.n),
    '',
    '### Where the time goes (median ms after the PATCH was sent)',
    '',
    milestoneTable(directions),
    '',
    'Server-side check: the API server records our write of the mirror (managedFields) only to the second, which',
    'confirms the watch figures to that resolution but cannot refine them. That second overlaps the window from',
    'sending the PATCH to our watch seeing the mirror in:',
    ...directions.map(([label, d]) => `- ${label}: ${d.serverSide.consistent}/${d.serverSide.n} changes`),
    '',
    '### Burst',
    '',
    `${result.fromHost.burst.rounds[0]?.services ?? 0} different Services changed at once (parallel PATCHes); the time until the last mirror shows its change.`,
    '',
    '| direction | rounds: all mirrors written (ms) | first mirror (ms) | median mirror (ms) | median round (ms) |',
    '| --- | --: | --: | --: | --: |',
    ...directions.map(([label, d]) => `| ${label} | ${list(d.burst.rounds, 'totalMs')} | ${list(d.burst.rounds, 'firstMs')} | ${list(d.burst.rounds, 'medianMs')} | ${d.burst.totalMsMedian} |`),
    '',
    ...notes(result),
    '',
  ].join('\n');
}

function notes(result: BenchResult): string[] {
  const lines = [
    '### Reading these figures',
    '',
    '- Each milestone is the median of that milestone alone, from BullMQ\'s event stream (Redis\'s clock) and the',
    '  writer\'s log; every process shares this machine\'s clock. "job queued" can precede "PATCH answered": the',
    '  watcher hears of the change about as soon as the PATCH\'s response reaches the benchmark.',
    '- The writer logs a pass only after also recording its status in Redis, so that line can trail our watch.',
    '- In a burst the writer works WRITER_CONCURRENCY keys at a time, and each key\'s follow-up passes',
    '  (its EndpointSlice, then a confirming pass) share those slots with the keys still waiting.',
  ];
  lines.push(
    result.settings.toHostMode === 'selector'
      ? '- toHost ran in `selector` mode (the default): the mirror is the host Service alone; the host\'s own EndpointSlice controller fills in its endpoints.'
      : '- toHost ran in `endpoints` mode: each pass also mirrors the tenant\'s EndpointSlices.',
  );
  return lines;
}

function ratio(value: number, floor: number): number {
  return Math.round((value / floor) * 100) / 100;
}

function cells(s: LatencySummary): string {
  return [s.n, s.min, s.median, s.p90, s.p99, s.max, s.mean].join(' | ');
}

function list(rounds: readonly BurstRound[], key: 'totalMs' | 'firstMs' | 'medianMs'): string {
  return rounds.map((round) => round[key]).join(', ');
}

function p99Note(n: number): string {
  return n < 100
    ? `Percentiles are nearest-rank. With n = ${n}, p99 is the largest sample (the max), not a stable tail estimate.`
    : 'Percentiles are nearest-rank.';
}

function milestoneTable(directions: readonly (readonly [string, DirectionResult])[]): string {
  const labels: Record<string, string> = {
    sourceWritten: 'PATCH answered',
    queued: 'job queued',
    active: 'writer took the job',
    mirrorLogged: 'writer logged the pass that wrote the mirror',
    watchSeen: 'our watch saw the mirror',
  };
  const rows = Object.entries(labels).map(([key, label]) => `| ${label} | ${directions.map(([, d]) => d.milestonesMedianMs[key] ?? '–').join(' | ')} |`);
  return ['| milestone | fromHost | toHost |', '| --- | --: | --: |', ...rows].join('\n');
}
