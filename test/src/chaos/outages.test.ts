import { after, before, it } from 'node:test';
import { APPS } from '@service-replicator/control-plane-harness';
import { metricValue, scrape } from '../support/prometheus-text';
import { serverSuite } from '../support/server-suite';
import { ChaosEnvironment, waitFor } from './chaos-environment';
import { runRow, seconds } from './chaos-row';
import { advanceRevision, CHANGES_PER_FAULT, CHANGES_TEXT, gone, holdUntil, plantOrphan, readinessBecomes } from './fault-steps';

/** A Redis or API server outage lasts this long (issue 13: "down 30 s"). */
const OUTAGE_MS = 30_000;

/**
 * Chaos rows for the outages: Redis losing its data (FLUSHALL, a restart without it), Redis down
 * 30 s, the host and a tenant API server down 30 s, and a watch that expired (etcd compacted
 * while the API server was away: 410 Gone, relist). Each starts converged, changes sources
 * during or right after the fault, and must reconverge within one resync interval with nothing
 * lost and nothing that is not ours touched (see chaos-row.ts). Rows run in order on one
 * deployment; each starts from the state the last one reconverged to.
 */
serverSuite('chaos: Redis and API server outages', () => {
  let env: ChaosEnvironment;

  before(async () => {
    env = await ChaosEnvironment.start({ prefix: 'chaos-outages', fromHost: 100, toHost: 10 });
    await env.configure();
  });
  after(async () => env?.stop());

  it('host API server down 30 s', async () => {
    await runRow(env, {
      row: 'host API server down 30 s',
      fault: `host kube-apiserver stopped 30 s (etcd kept), ${CHANGES_TEXT} changed right after`,
      run: async () => {
        const started = Date.now();
        await env.writes.beforeRestart(env.fx.host);
        await env.fx.host.stopApiServer();
        await readinessBecomes(env, 503, ['host-watcher'], OUTAGE_MS);
        const notReadyMs = Date.now() - started;
        await holdUntil(started, OUTAGE_MS);
        await env.fx.host.startApiServer();
        const endedAt = Date.now();
        await env.changeSourcePorts(CHANGES_PER_FAULT);
        const readyMs = await readinessBecomes(env, 200, APPS, 60_000);
        return { endedAt, notes: [`host-watcher not ready ${seconds(notReadyMs)} into the outage`, `all apps ready again ${seconds(readyMs)} after it`] };
      },
    });
  });

  it('tenant API server down 30 s, its mirrors\' sources changed meanwhile', async () => {
    const tenant = env.fx.tenant('a').cluster;
    await runRow(env, {
      row: 'tenant API server down 30 s',
      fault: `tenant a's kube-apiserver stopped 30 s (etcd kept), ${CHANGES_TEXT} changed meanwhile (the host's are sources of its mirrors)`,
      run: async () => {
        const started = Date.now();
        await env.writes.beforeRestart(tenant);
        await tenant.stopApiServer();
        await env.changeSourcePorts(CHANGES_PER_FAULT);
        await readinessBecomes(env, 503, ['tenant-watcher'], OUTAGE_MS);
        const notReadyMs = Date.now() - started;
        await holdUntil(started, OUTAGE_MS);
        await tenant.startApiServer();
        const endedAt = Date.now();
        const readyMs = await readinessBecomes(env, 200, APPS, 60_000);
        return { endedAt, notes: [`tenant-watcher not ready ${seconds(notReadyMs)} into the outage`, `all apps ready again ${seconds(readyMs)} after it`] };
      },
    });
  });

  it('a watch expired: etcd compacted while the host API server was away, watches get 410 Gone and relist', async () => {
    const host = env.fx.host;
    await runRow(env, {
      row: 'watch expired (410 Gone)',
      fault: `host kube-apiserver stopped, etcd written and compacted past every watch, started again; ${CHANGES_TEXT} changed`,
      run: async () => {
        await advanceRevision(env, host, 20);
        await env.writes.beforeRestart(host);
        await host.stopApiServer();
        const compactedTo = await host.compactEtcd();
        await host.startApiServer();
        const endedAt = Date.now();
        await env.changeSourcePorts(CHANGES_PER_FAULT);
        const relistedMs = await waitFor(async () => (await hostRelists(env)) > 0, 60_000, 'host-watcher relisting after 410 Gone');
        return { endedAt, notes: [`etcd compacted to revision ${compactedTo}`, `host-watcher relisted (410 Gone) ${seconds(relistedMs)} after the restart`] };
      },
    });
  });

  it('Redis down 30 s: every app not ready during the outage, ready after', async () => {
    await runRow(env, {
      row: 'Redis down 30 s',
      fault: `redis-server stopped 30 s (data saved and loaded back), ${CHANGES_TEXT} changed meanwhile`,
      run: async () => {
        const started = Date.now();
        await env.fx.redisServer.halt({ keepData: true });
        await env.changeSourcePorts(CHANGES_PER_FAULT);
        await readinessBecomes(env, 503, APPS, OUTAGE_MS);
        const notReadyMs = Date.now() - started;
        await holdUntil(started, OUTAGE_MS);
        await env.fx.redisServer.startAgain();
        const endedAt = Date.now();
        const readyMs = await readinessBecomes(env, 200, APPS, 60_000);
        return { endedAt, notes: [`all four apps not ready ${seconds(notReadyMs)} into the outage`, `all ready again ${seconds(readyMs)} after it`] };
      },
      afterConverged: (_, endedAt) => statusPageBack(env, endedAt),
    });
  });

  it('Redis FLUSHALL: mappings republished, snapshots rewritten, a leftover swept once mappings are known', async () => {
    await runRow(env, {
      row: 'Redis FLUSHALL',
      fault: `FLUSHALL (a leftover mirror of a lost removal planted just before), then ${CHANGES_TEXT} changed`,
      run: async () => {
        await plantOrphan(env, 'left-behind-1');
        await env.fx.redis.flushall();
        const endedAt = Date.now();
        await env.changeSourcePorts(CHANGES_PER_FAULT);
        return { endedAt };
      },
      afterConverged: (_, endedAt) => leftoverSwept(env, 'left-behind-1', endedAt),
    });
  });

  it('Redis restarted without its data (same port), sources changed while it was down', async () => {
    await runRow(env, {
      row: 'Redis restarted empty',
      fault: `redis-server killed (a leftover mirror of a lost removal planted just before), ${CHANGES_TEXT} changed, started again empty`,
      run: async () => {
        await plantOrphan(env, 'left-behind-2');
        await env.fx.redisServer.halt({ keepData: false });
        await env.changeSourcePorts(CHANGES_PER_FAULT);
        await env.fx.redisServer.startAgain();
        return { endedAt: Date.now() };
      },
      afterConverged: (_, endedAt) => leftoverSwept(env, 'left-behind-2', endedAt),
    });
  });
}, 20 * 60_000);

/** The leftover is gone: the tenant was swept once its republished mappings were known. */
async function leftoverSwept(env: ChaosEnvironment, name: string, endedAt: number): Promise<string[]> {
  await waitFor(() => gone(env, name), 60_000, `the leftover ${name} swept`);
  const swept = Date.now() - endedAt;
  return [`leftover swept ${seconds(swept)} after the fault ended (ORPHAN_SWEEP_INTERVAL_SECONDS=3600: swept because Redis lost its data)`, ...(await statusPageBack(env, endedAt))];
}

/** The status page answers again and shows every mapping in sync. */
async function statusPageBack(env: ChaosEnvironment, endedAt: number): Promise<string[]> {
  await waitFor(() => env.statusPageHealthy(), 60_000, 'the status page healthy again');
  return [`status page healthy ${seconds(Date.now() - endedAt)} after the fault ended`];
}

/** Informers of host-watcher that listed again because their watch expired (its replicator_informer_relists_total). */
async function hostRelists(env: ChaosEnvironment): Promise<number> {
  const text = await scrape(await env.fx.replicator.httpAddress('host-watcher'));
  return ['services', 'endpointslices'].reduce((sum, resource) => sum + (metricValue(text, 'replicator_informer_relists_total', { cluster: 'host', resource }) ?? 0), 0);
}
