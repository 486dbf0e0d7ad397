import { provenance, writeDocSection, type BenchResult } from './benchmarks-doc';
import type { OverheadRatio, TracingOverhead } from './tracing-overhead';

export type TracingResult = Pick<BenchResult, 'date' | 'command' | 'code' | 'machine' | 'settings'> & TracingOverhead;

/** Rewrites the "Tracing overhead" section of docs/benchmarks.md (its own markers). */
export async function writeTracingSection(file: string, result: TracingResult): Promise<void> {
  await writeDocSection(file, 'tracing-overhead', render(result));
}

function render(result: TracingResult): string {
  const { exported } = result;
  return [
    '## Tracing overhead',
    '',
    ...provenance(result),
    '',
    `One run, three phases against the same API servers and Redis: tracing off, on, off. Each phase restarts the four`,
    `apps and measures ${result.changesPerPhase} sequential changes per direction (as in "Replication latency": PATCH sent → our`,
    'watch sees the mirror) and three bursts of 20 Services. Tracing on means every span sampled and exported as OTLP/HTTP',
    'JSON (`OTEL_BSP_SCHEDULE_DELAY=200`) to a receiver inside the benchmark process, on the same 2 CPUs.',
    '',
    '| | fromHost | toHost |',
    '| --- | --: | --: |',
    ...rows('one change', result.sequential),
    ...rows('burst of 20 (all written)', result.burst),
    '',
    `**Tracing overhead, ratio of medians (on / off): ${result.sequential.fromHost.ratio} fromHost, ${result.sequential.toHost.ratio} toHost for one change.**`,
    '',
    '| phase | tracing | one change, median ms (fromHost / toHost) | burst rounds ms, fromHost | burst rounds ms, toHost |',
    '| --: | --- | --: | --- | --- |',
    ...result.phases.map((phase, index) => `| ${index + 1} | ${phase.tracing ? 'on' : 'off'} | ${phase.sequential.fromHost.median} / ${phase.sequential.toHost.median} | ${phase.burstRoundsMs.fromHost.join(', ')} | ${phase.burstRoundsMs.toHost.join(', ')} |`),
    '',
    `While tracing was on the receiver got ${exported.spans} spans in ${exported.traces} traces (${exported.writerHttpClientSpans} of those spans were the`,
    "writer's Kubernetes API requests). The two off phases bound how much of a difference is drift over the run rather than",
    'tracing. A burst is one sample per round, and rounds of one phase spread by a few hundred ms, so the burst ratio is',
    `indicative only: the one-change ratio (${result.changesPerPhase} changes per direction and phase) is the figure. A collector elsewhere adds`,
    'its network to the export, which runs off the replication path (batched, in the background).',
    '',
  ].join('\n');
}

function rows(label: string, ratios: Readonly<Record<'fromHost' | 'toHost', OverheadRatio>>): string[] {
  const cell = (pick: (ratio: OverheadRatio) => number) => `${pick(ratios.fromHost)} | ${pick(ratios.toHost)}`;
  return [
    `| ${label}: median, tracing off (ms) | ${cell((r) => r.offMedianMs)} |`,
    `| ${label}: median, tracing on (ms) | ${cell((r) => r.onMedianMs)} |`,
    `| ${label}: on / off | ${cell((r) => r.ratio)} |`,
  ];
}
