import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { APPS } from '@service-replicator/control-plane-harness';
import { ReplicationFixture } from './support/replication-fixture';
import { health, metricValue, scrape } from './support/prometheus-text';
import { serverSuite } from './support/server-suite';
import { eventually } from './support/wait';

const KEY = 'a/fromHost/default/web';
const counter = (text: string, name: string, labels: Record<string, string> = {}) => metricValue(text, name, labels) ?? 0;

// Runs in this order; the last test stops Redis, which is why this file has a fixture of its own.
serverSuite('metrics and health of the four apps (tracing off)', () => {
  let fx: ReplicationFixture;
  const http = {} as Record<(typeof APPS)[number], string>;

  before(async () => {
    fx = await ReplicationFixture.start({ prefix: 'e2e-observability' });
    for (const app of APPS) http[app] = await fx.replicator.httpAddress(app);
    await fx.hostCore.createNamespacedService({ namespace: 'shared', body: { metadata: { name: 'web' }, spec: { ports: [{ port: 80 }] } } });
    await fx.configure('a', { fromHost: [{ from: 'shared/web', to: 'default/web' }] });
    await eventually(async () => ((await fx.status(KEY))?.state === 'in-sync' ? true : undefined));
  });
  after(async () => fx?.stop());

  it('counts reconciles by outcome and observes the replication lag of a change (writer)', async () => {
    const before = await scrape(http.writer);
    await fx.hostCore.patchNamespacedService({ namespace: 'shared', name: 'web', body: [{ op: 'replace', path: '/spec/ports/0/port', value: 8080 }] });
    await eventually(async () => ((await fx.tenant('a').core.readNamespacedService({ namespace: 'default', name: 'web' })).spec?.ports?.[0].port === 8080 ? true : undefined));
    const fromHost = { direction: 'fromHost' };
    const after = await eventually(async () => {
      const text = await scrape(http.writer);
      return counter(text, 'replicator_reconciles_total', { ...fromHost, outcome: 'in-sync' }) > counter(before, 'replicator_reconciles_total', { ...fromHost, outcome: 'in-sync' }) ? text : undefined;
    });
    // The change was written (Service, then its EndpointSlice) by one pass, which left the mirror in sync.
    const lagCount = (text: string) => counter(text, 'replicator_replication_lag_seconds_count', fromHost);
    assert.ok(lagCount(after) >= lagCount(before) + 1, `lag observed for the pass that wrote: ${lagCount(before)} -> ${lagCount(after)}`);
    assert.ok(counter(after, 'replicator_replication_lag_seconds_sum', fromHost) > 0);
    assert.ok(counter(after, 'replicator_replication_lag_seconds_bucket', { ...fromHost, le: '+Inf' }) === lagCount(after));
    for (const state of ['waiting', 'prioritized', 'active', 'delayed', 'failed']) {
      assert.notEqual(metricValue(after, 'replicator_queue_jobs', { state }), undefined, `queue depth gauge for ${state}`);
    }
    assert.match(after, /# TYPE replicator_conflicts_total counter/);
  });

  it('counts watch events in the watchers and serves Node process metrics everywhere', async () => {
    const host = await scrape(http['host-watcher']);
    assert.ok(counter(host, 'replicator_watch_events_total', { cluster: 'host', resource: 'services' }) > 0);
    assert.match(host, /# TYPE replicator_informer_restarts_total counter/);
    for (const app of APPS) assert.ok(counter(await scrape(http[app]), 'process_cpu_user_seconds_total', { app }) > 0, `${app} labels its metrics with app`);
  });

  it('is live and ready while Redis and the API servers answer; logs carry no trace ids with tracing off', async () => {
    for (const app of APPS) {
      assert.equal((await health(http[app], 'live')).status, 200, `${app} live`);
      const ready = await health(http[app], 'ready');
      assert.equal(ready.status, 200, `${app} ready: ${JSON.stringify(ready.body)}`);
      assert.equal(ready.body.status, 'ok');
      assert.doesNotMatch(await fx.replicator.log(app), /"trace_id"|OTLP|opentelemetry/i);
    }
    const watcher = await health(http['host-watcher'], 'ready');
    assert.deepEqual(Object.keys((watcher.body as { info?: object }).info ?? {}).sort(), ['informers', 'redis']);
  });

  it('counts informer restarts when a tenant API server goes away', async () => {
    await fx.configure('b', { fromHost: [{ from: 'shared/web', to: 'default/web' }] });
    await eventually(() => fx.tenant('b').core.readNamespacedService({ namespace: 'default', name: 'web' }));
    // tenant-watcher has listed b's namespace (it vouches for it in Redis) and is ready.
    await eventually(async () => {
      const listed = (await fx.redis.hexists(`${fx.prefix}:replicator:synced:tenant.b`, 'default')) === 1;
      return listed && (await health(http['tenant-watcher'], 'ready')).status === 200 ? true : undefined;
    });
    await fx.tenant('b').cluster.stop();
    await eventually(async () => (counter(await scrape(http['tenant-watcher']), 'replicator_informer_restarts_total', { cluster: 'tenant b' }) > 0 ? true : undefined));
    // An informer that keeps failing makes its app not ready (the API server it watches is out of reach).
    const notReady = await eventually(async () => {
      const result = await health(http['tenant-watcher'], 'ready');
      return result.status === 503 ? result : undefined;
    }, 60_000);
    assert.deepEqual(Object.keys(notReady.body.error ?? {}), ['informers']);
  });

  it('turns not ready (503, naming redis) in every app once Redis is gone, and stays live', async () => {
    await fx.redisServer.stop();
    for (const app of APPS) {
      const ready = await eventually(async () => {
        const result = await health(http[app], 'ready');
        return result.status === 503 ? result : undefined;
      }, 15_000);
      assert.equal(ready.body.status, 'error');
      // tenant-watcher is not ready already: tenant b's API server was stopped by the test before.
      const down = app === 'tenant-watcher' ? ['informers', 'redis'] : ['redis'];
      assert.deepEqual(Object.keys(ready.body.error ?? {}).sort(), down, `${app}: ${JSON.stringify(ready.body)}`);
      assert.equal((await health(http[app], 'live')).status, 200, `${app} live`);
    }
  });
});
