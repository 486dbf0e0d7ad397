import type { BenchResult } from './benchmarks-doc';
import { provenance, writeDocSection } from './benchmarks-doc';
import type { FairnessMeasurement } from './fairness';
import type { LatencySummary } from './latency-stats';

export type FairnessResult = Pick<BenchResult, 'date' | 'command' | 'code' | 'machine' | 'settings'> & FairnessMeasurement;

/** Rewrites the "Fairness" section of docs/benchmarks.md (its own markers). */
export async function writeFairnessSection(file: string, result: FairnessResult): Promise<void> {
  await writeDocSection(file, 'fairness', render(result));
}

function render(result: FairnessResult): string {
  return [
    '## Fairness: one tenant\'s backlog and another tenant\'s change',
    '',
    ...provenance(result),
    '',
    `Tenant a publishes ${result.entries} fromHost entries at once (each pass creates a Service and an EndpointSlice in tenant a),`,
    'and tenant b, with one entry, then changes its host Service\'s port every 2 s while that backlog is worked off. The figure',
    "is b's replication latency: from just before the PATCH is sent until a watch on b's mirror delivers the new port.",
    '',
    '| tenant b, one change | n | min | median | p90 | max | mean |',
    '| --- | --: | --: | --: | --: | --: | --: |',
    `| queue empty (ms) | ${cells(result.idle)} |`,
    `| under tenant a's backlog (ms) | ${cells(result.underBacklog)} |`,
    '',
    `**Under a backlog of up to ${result.peakBacklog} jobs, tenant b's mirror followed in ${result.underBacklog.median} ms (median), ${result.underBacklog.max} ms at most.**`,
    `Tenant a's ${result.entries} entries were worked off in ${result.drainSeconds} s. Backlog (jobs waiting, in hand or delayed) before each of b's changes: ${result.samples.map((s) => s.backlogBefore).join(', ')}.`,
    '',
    'Why: every job is prioritised by its place in its tenant\'s batch (the n-th key of a tenant gets priority n), so b\'s',
    'single change gets priority 1 and the writer takes it as soon as a slot frees up (WRITER_CONCURRENCY passes run at',
    'once), ahead of all but the first few of a\'s keys. Before priorities, the same change waited behind every job queued',
    'before it (157 s behind 10,000, in the report that opened issue 12). A pass that must look again later (a namespace',
    'not listed yet, writes left for a follow-up) re-queues its key with the priority its job had: while follow-ups came back',
    "at priority 1, tenant a's 10,000 early passes (all waiting for tenant a's namespace to be listed) queued in front of",
    "b's change, which then took 11 and 20 s in one run.",
    '',
  ].join('\n');
}

function cells(s: LatencySummary): string {
  return [s.n, s.min, s.median, s.p90, s.max, s.mean].join(' | ');
}
