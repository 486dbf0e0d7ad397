import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { OtlpReceiver, type ReceivedSpan } from '@service-replicator/control-plane-harness';
import { ReplicationFixture } from './support/replication-fixture';
import { serverSuite } from './support/server-suite';
import { eventually } from './support/wait';

const KEY = 'a/fromHost/default/db';
const CLIENT = 3;

/** The writer's HTTP client span that PUT the tenant mirror of shared/db with port 6432. */
function isMirrorPut(span: ReceivedSpan, tenantServer: string): boolean {
  const method = span.attributes['http.request.method'] ?? span.attributes['http.method'];
  const url = String(span.attributes['url.full'] ?? span.attributes['http.url'] ?? '');
  return span.kind === CLIENT && span.service === 'writer' && method === 'PUT' && url.startsWith(`${tenantServer}/api/v1/namespaces/default/services/db`);
}

/** Every span's parent is in the trace: one tree from one root, whatever process made each span. */
function rootOf(trace: readonly ReceivedSpan[]): ReceivedSpan {
  const ids = new Set(trace.map((span) => span.spanId));
  const roots = trace.filter((span) => !span.parentSpanId);
  assert.equal(roots.length, 1, `one root span, got ${roots.map((s) => `${s.service}:${s.name}`).join(', ')}`);
  for (const span of trace) if (span.parentSpanId) assert.ok(ids.has(span.parentSpanId), `parent of ${span.service}:${span.name} is in the trace`);
  return roots[0];
}

function ancestors(span: ReceivedSpan, trace: readonly ReceivedSpan[]): ReceivedSpan[] {
  const byId = new Map(trace.map((s) => [s.spanId, s]));
  const chain: ReceivedSpan[] = [];
  for (let parent = span.parentSpanId && byId.get(span.parentSpanId); parent; parent = parent.parentSpanId && byId.get(parent.parentSpanId)) chain.push(parent);
  return chain;
}

serverSuite('tracing: one trace from a host Service change to the write of its mirror', () => {
  let receiver: OtlpReceiver;
  let fx: ReplicationFixture;
  let tenantServer: string;

  before(async () => {
    receiver = await OtlpReceiver.start();
    fx = await ReplicationFixture.start({ prefix: 'e2e-tracing', env: receiver.env });
    tenantServer = fx.tenant('a').cluster.server;
    // No selector: no controller writes the host side, so every change here is the test's own.
    await fx.hostCore.createNamespacedService({ namespace: 'shared', body: { metadata: { name: 'db' }, spec: { ports: [{ name: 'pg', port: 5432 }] } } });
    await fx.configure('a', { fromHost: [{ from: 'shared/db', to: 'default/db' }] });
    await eventually(async () => ((await fx.status(KEY))?.state === 'in-sync' ? true : undefined));
  });
  after(async () => {
    await fx?.stop();
    await receiver?.stop();
  });

  it('follows the change from host-watcher through the queue to the PUT on the tenant API server', async () => {
    await fx.hostCore.patchNamespacedService({ namespace: 'shared', name: 'db', body: [{ op: 'replace', path: '/spec/ports/0/port', value: 6432 }] });
    const put = await eventually(() => receiver.spans().find((span) => isMirrorPut(span, tenantServer) && span.startMs > 0 && receiver.trace(span.traceId).some((s) => s.service === 'host-watcher') ? span : undefined), 30_000);
    // Spans of one trace arrive in several batches from three processes: wait for the tree to close.
    const trace = await eventually(() => {
      const spans = receiver.trace(put.traceId);
      const ids = new Set(spans.map((s) => s.spanId));
      return spans.every((s) => !s.parentSpanId || ids.has(s.parentSpanId)) ? spans : undefined;
    }, 10_000);

    const root = rootOf(trace);
    assert.equal(root.service, 'host-watcher');
    assert.equal(root.name, 'watch host services update');
    assert.deepEqual(root.attributes['replicator.keys'], [KEY]);

    const chain = ancestors(put, trace);
    const reconcile = chain.find((span) => span.service === 'writer' && span.name === 'reconcile');
    assert.ok(reconcile, `the PUT is inside the writer's reconcile span; its ancestors: ${chain.map((s) => `${s.service}:${s.name}`).join(' <- ')}`);
    assert.ok(chain.some((span) => span.service === 'writer' && span.kind === 5), 'inside BullMQ\'s consumer span');
    assert.ok(chain.some((span) => span.service === 'host-watcher' && span.kind === 4), 'which continues host-watcher\'s producer span');
    assert.equal(chain.at(-1), root);
    assert.deepEqual(
      ['tenant', 'direction', 'source', 'target', 'action', 'outcome'].map((name) => reconcile.attributes[`replicator.${name}`]),
      ['a', 'fromHost', 'host:shared/db', 'tenant:default/db', 'update Service, update EndpointSlice', 'in-sync'],
    );
    // The pass read both sides from the watchers' snapshots: no GET or LIST reached an API server.
    const inPass = trace.filter((span) => ancestors(span, trace).includes(reconcile));
    assert.ok(inPass.some((span) => span.name === 'read snapshots'), 'the pass shows its snapshot read');
    const requests = inPass.filter((span) => span.kind === CLIENT).map((span) => span.attributes['http.request.method'] ?? span.attributes['http.method']);
    assert.deepEqual(requests.sort(), ['PUT', 'PUT'], 'the Service and its EndpointSlice were written, and nothing was read');
  });

  it('stores a trace id of a pass in the status record, and logs carry trace_id and span_id', async () => {
    const status = await eventually(async () => {
      const s = (await fx.status(KEY)) as { state: string; traceId?: string } | undefined;
      return s?.state === 'in-sync' && s.traceId ? s : undefined;
    });
    assert.match(status.traceId ?? '', /^[0-9a-f]{32}$/);
    await eventually(() => (receiver.trace(status.traceId ?? '').some((span) => span.service === 'writer' && span.name === 'reconcile') ? true : undefined), 10_000);
    const lines = (await fx.replicator.log('writer')).split('\n').filter((line) => line.includes(`"key":"${KEY}"`)).map((line) => JSON.parse(line) as Record<string, unknown>);
    const traced = lines.find((line) => line.trace_id === status.traceId);
    assert.ok(traced, 'a writer log line for the pass carries its trace_id');
    assert.match(String(traced.span_id), /^[0-9a-f]{16}$/);
  });
});
