import type { MachineFacts, MeasuredCode } from '@service-replicator/control-plane-harness';
import { COUNTED_RESOURCES } from '../support/api-writes';
import { RESYNC_INTERVAL_SECONDS } from './chaos-environment';
import { seconds, type RowResult } from './chaos-row';

export interface ReliabilityRun {
  readonly rows: readonly RowResult[];
  readonly machine: MachineFacts;
  readonly code: MeasuredCode;
  readonly date: string;
  readonly minutes: number;
  readonly passed: boolean;
}

/** The table alone (what `npm run chaos` prints). */
export function renderTable(rows: readonly RowResult[]): string {
  return [
    '| fault | what was done | mirrors | reconverged after | lost | not ours touched | writes: Services / EndpointSlices / Events / Namespaces | also measured |',
    '| --- | --- | --: | --: | --: | --: | --: | --- |',
    ...rows.map((row) => `| ${row.row} | ${row.fault} | ${row.mirrors} | ${reconverged(row.reconvergeMs)} | ${count(row.lost)} | ${count(row.touched)} | ${COUNTED_RESOURCES.map((r) => row.writes[r]).join(' / ')} | ${row.notes.join('; ')} |`),
  ].join('\n');
}

/** docs/reliability.md, whole, from one real run. */
export function renderReliabilityDoc(run: ReliabilityRun): string {
  const { machine, code } = run;
  return [
    '# Reliability',
    '',
    'Faults made on purpose against real servers (etcd, kube-apiserver and kube-controller-manager for the host',
    'and two tenant clusters, redis-server, and the four apps as processes), each row from the run below.',
    'Rewritten by `npm run chaos -- --docs`; `npm run chaos` runs the same rows without writing this file, and',
    'the server tests (`npm test`) run them too, with the same assertions.',
    '',
    `Measured ${run.date} on ${machine.nproc} CPUs (${machine.cpu}), ${machine.memoryGiB} GiB memory, ${machine.os}, Node ${machine.node};`,
    `1-minute load average before the run started anything: ${machine.loadAverage1mBeforeStart}. Commit ${code.commit}${code.uncommittedAppOrLibChanges ? ' with uncommitted changes in apps/ or libs/' : ''}.`,
    `The whole run took ${run.minutes} min and ${run.passed ? 'passed' : '**failed**'}.`,
    `Apps: RESYNC_INTERVAL_SECONDS=${RESYNC_INTERVAL_SECONDS} (short on purpose: it is the reconvergence target), ORPHAN_SWEEP_INTERVAL_SECONDS=3600 (the default), CONFIG_POLL_MS=200, WRITER_CONCURRENCY=8.`,
    '',
    renderTable(run.rows),
    '',
    '## Targets (asserted by every row)',
    '',
    '- **0 lost**: no mirror that should exist was deleted at any moment of the row (a watch on every cluster',
    '  follows every Service, resumes across API server restarts and relists after 410 Gone), and none is missing',
    '  at its end.',
    '- **0 not ours touched**: objects that do not carry our ownership marker are planted beside the mirrors (a',
    '  plain Service, one labelled managed-by us for another tenant, an EndpointSlice of someone else\'s naming one',
    '  of our mirrors) and, in the race row, the user\'s own Services; none may be modified or deleted (watch). At',
    '  the end of each row, no Service or EndpointSlice in any cluster without our marker may carry our field',
    '  manager in managedFields.',
    `- **reconverged within one resync interval** (${RESYNC_INTERVAL_SECONDS} s), from the end of the fault: every`,
    '  mirror exists, is ours, shows its source\'s current port (fromHost: with an EndpointSlice holding the',
    '  source\'s clusterIP), and every key\'s status record is `in-sync`. Sources are changed during or right after',
    '  each fault, so reconverging means doing work, not only finding nothing changed.',
    '',
    '## How the figures are taken',
    '',
    '- **reconverged after**: from the moment the fault ended (Redis answering again, the API server ready again,',
    '  the last writer restarted, the config whole again) until the check above first passes; polled every 250 ms.',
    '  The first row (the writer killed during a first convergence) counts from the last restart.',
    '- **writes**: POST, PUT, PATCH and DELETE requests that the API servers counted in',
    '  `apiserver_request_total` during the row, for Services, EndpointSlices, Events and Namespaces, all three',
    '  clusters, less the suite\'s own writes. A restarted API server counts from zero: its count is banked just',
    '  before it stops. They include what kube-controller-manager writes meanwhile: the host\'s EndpointSlice',
    '  controller\'s slices for toHost mirrors (selector mode), and any Event a controller records (the API',
    '  server counts core and events.k8s.io Events alike); the writer\'s own Events are Warnings on conflicts.',
    '- **lost** and **not ours touched** list each object (cluster, kind, namespace/name) when not empty.',
    '- The last test of `processes.test.ts` deletes a mirror and modifies a planted object with our field manager,',
    '  and checks that the probes report both: they can fail.',
    '',
    '## What the rows found (fixed)',
    '',
    '- After a FLUSHALL, the reload that followed the republished mappings vouched again for namespaces whose',
    '  snapshots were gone (a partial write marked them synced): passes saw existing mirrors as absent and POSTed',
    '  them every second, never converging (420 refused creates in the first run of the FLUSHALL row). Only a whole',
    '  write vouches for a namespace now; and a create refused because the object exists reads it once into the',
    '  snapshot, so a snapshot that lost an object heals on the retry.',
    '- A leftover of a removal lost with Redis waited for the hourly orphan sweep; tenant-watcher now sweeps a',
    '  tenant as soon as its mappings are published again after a watcher found Redis lost its snapshots.',
    '- A watch that expired (410 Gone) and relisted left no trace; it is counted now',
    '  (`replicator_informer_relists_total`) and logged.',
    '- After a tenant API server\'s 30 s outage the mirrors took 11.7 s and 21 s to reconverge: its informers',
    '  were waiting out a backoff of up to 30 s, and the passes that had failed one of up to 60 s. An informer now',
    '  retries an API server that does not answer at least every 5 s, and enqueues its namespace\'s keys once it',
    '  watches again (0.2 s in the same check since).',
    '',
  ].join('\n');
}

function reconverged(ms: number | null): string {
  return ms === null ? '**not within the limit**' : seconds(ms);
}

function count(items: readonly string[]): string {
  return items.length === 0 ? '0' : `**${items.length}**: ${items.slice(0, 5).join(', ')}${items.length > 5 ? ', ...' : ''}`;
}
