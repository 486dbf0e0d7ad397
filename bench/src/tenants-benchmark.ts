import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '@service-replicator/control-plane-harness';
import { writeDocSection } from './benchmarks-doc';
import { runMeasured } from './bench-run';
import { runInfo } from './run-info';
import { TenantsEnvironment } from './tenants-environment';
import { floorRun, systemRun, type FloorRun, type TenantsRun } from './tenants-phases';

const USAGE = `npm run bench -- --tenants [options]   (node bench/dist/main.js --tenants after a build)

Starts a host and two tenant control planes and Redis, and measures, in one run: the floor (the
tenants' mirrors written directly with client-node, same total concurrency as one writer), then
the system with 1 and with 2 tenant-watcher replicas replicating the same number of tenants (new
ones each run, half on each tenant API server): time to converge from the tenants file naming them
all, RSS of each tenant-watcher (with no tenant, then with all), watches per tenant API server
(from its apiserver_longrunning_requests), and the API requests of an idle minute per tenant.
Writes docs/benchmarks.md (section "Many tenants").

  --tenants-count=N    tenants (default 200)
  --mappings=N         fromHost mappings per tenant (default 10)
  --replicas=LIST      tenant-watcher replicas per system run (default 1,2)
  --timeout-s=S        give up after S seconds (default 3600)
  --no-docs            do not write docs/benchmarks.md
  -h, --help           this text`;

const CONCURRENCY = 8;

export interface TenantsResult extends ReturnType<typeof runInfo> {
  readonly settings: Readonly<Record<string, string>>;
  /** The floor before the system runs and after them: the machine's load drifts over a run. */
  readonly floors: readonly FloorRun[];
  readonly runs: readonly TenantsRun[];
}

function parseOptions(argv: readonly string[]) {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      'tenants-count': { type: 'string', default: '200' },
      mappings: { type: 'string', default: '10' },
      replicas: { type: 'string', default: '1,2' },
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
    tenants: positive('tenants-count', values['tenants-count']),
    mappings: positive('mappings', values.mappings),
    replicas: values.replicas.split(',').map((r) => positive('replicas', r)),
    timeoutMs: positive('timeout-s', values['timeout-s']) * 1000,
    docs: !values['no-docs'],
    help: values.help,
  };
}

function appEnv(): Record<string, string> {
  return { WRITER_CONCURRENCY: String(CONCURRENCY), RESYNC_INTERVAL_SECONDS: '3600', ORPHAN_SWEEP_INTERVAL_SECONDS: '3600', CONFIG_POLL_MS: '200', CONFIG_SETTLE_MS: '100', LOG_LEVEL: 'info' };
}

async function measure(env: TenantsEnvironment, options: ReturnType<typeof parseOptions>): Promise<TenantsResult> {
  await env.createSources(options.mappings);
  const floors = [await floorRun(env, await env.createTenants('floor-a', options.tenants), CONCURRENCY)];
  const runs: TenantsRun[] = [];
  for (const replicas of options.replicas) runs.push(await systemRun(env, await env.createTenants(`r${replicas}`, options.tenants), replicas, appEnv()));
  floors.push(await floorRun(env, await env.createTenants('floor-b', options.tenants), CONCURRENCY));
  return { ...runInfo(), settings: appEnv(), floors, runs };
}

export async function runTenantsBenchmark(argv: readonly string[]): Promise<number> {
  const options = parseOptions(argv);
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  return runMeasured(
    { timeoutMs: options.timeoutMs, starting: 'starting a host and two tenant control planes and Redis' },
    () => TenantsEnvironment.start(),
    (env) => measure(env, options),
    async (result) => {
      if (options.docs) await writeDocSection(join(repoRoot, 'docs', 'benchmarks.md'), 'tenants', renderTenantsSection(result));
    },
  );
}

function renderTenantsSection(result: TenantsResult): string {
  const mb = (value: number) => value.toFixed(1);
  const floor = result.floors.reduce((sum, run) => sum + run.seconds, 0) / result.floors.length;
  const rows = result.runs.map((run) => {
    const ratio = run.seconds / floor;
    const rss = run.rss.map((r) => `${mb(r.baselineMiB)} → ${mb(r.afterMiB)} → ${mb(r.steadyMiB)} (${r.tenantsHeld} tenants)`).join('; ');
    const perTenant = run.rss.map((r) => (r.tenantsHeld > 0 ? `${(((r.steadyMiB - r.baselineMiB) * 1024) / r.tenantsHeld).toFixed(0)} KiB` : '—')).join('; ');
    const watches = run.watches.map((w) => `${w.server}: ${w.services} + ${w.endpointslices} for ${w.namespaces} ns (${((w.services + w.endpointslices) / w.namespaces).toFixed(2)}/ns)`).join('; ');
    return `| ${run.tenantWatchers} | ${run.tenants} × ${run.mirrors / run.tenants} | ${run.seconds.toFixed(1)} s | ${ratio.toFixed(2)}x | ${rss} | ${perTenant} | ${watches} | ${run.idleRequestsPerTenantPerMinute.toFixed(2)} | ${run.configEditMs.join(', ')} |`;
  });
  const idle = result.runs.map((run) => `- ${run.tenantWatchers} replica(s): ${Object.entries(run.idleRequests).map(([key, n]) => `${key} ${n}`).join(', ') || 'none'}`);
  return [
    '## Many tenants',
    '',
    `\`${result.command}\` on ${result.date.slice(0, 10)}, commit ${result.code.commit}${result.code.uncommittedAppOrLibChanges ? ' (with uncommitted changes)' : ''}; ${result.machine.nproc} cores (${result.machine.cpu}), load ${result.machine.loadAverage1mBeforeStart} before start, shared with other work.`,
    '',
    `Floor: the same ${result.floors[0].mirrors} mirrors (Service + EndpointSlice each) written directly with client-node, ${result.floors[0].concurrency} at a time over both tenant API servers, before and after the system runs: ${result.floors.map((run) => `${run.seconds.toFixed(1)} s`).join(' and ')}, mean **${floor.toFixed(1)} s** (the ratio's denominator).`,
    '',
    '| tenant-watchers | tenants × mappings | converge | ratio to floor | RSS per replica, MiB (no tenant → converged → a minute later) | per tenant above baseline (a minute later) | our watches per tenant API server | idle API requests per tenant per minute | config edit applied, ms (5 edits) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    'Every tenant\'s vcluster.yaml is a host ConfigMap (namespace `configs`), which config-watcher watches (one watch). Converge: from the tenants file naming every tenant (their ConfigMaps written before) until every mapping\'s status is in-sync and the queue is empty; it includes publishing, starting each tenant\'s watches and the writer\'s passes. Watches: the tenant API server\'s `apiserver_longrunning_requests{verb="WATCH"}` less what it held before the apps started (its controller-manager). Idle minute: `apiserver_request_total` of the host and both tenant API servers over the minute after convergence; the column leaves out only what each API server does by itself with no client (PUT leases: its identity lease; GET/POST endpoints: the `kubernetes` Service\'s reconciler), so it also counts the test control planes\' kube-controller-manager (its reflectors\' watches ending after their 5 to 10 minute timeouts, a LIST after a 410): an upper bound for our apps. Config edit: a tenant\'s ConfigMap replaced with one mapping more, until the writer records the new mapping in sync. The full idle counts:',
    '',
    ...idle,
  ].join('\n');
}
