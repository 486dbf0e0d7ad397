import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeConfig, V1Service, V1ServiceList } from '@kubernetes/client-node';
import { Readiness } from '@service-replicator/runtime';
import { RestartingInformer, UNHEALTHY_AFTER_MS } from './restarting-informer';
import { FakeApiError } from './testing/in-memory-cluster';
import { FakeClock, ScriptedListWatch } from './testing/scripted-list-watch';

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' });

/** A RestartingInformer over a scripted ListWatch and a fake clock, and what its handlers heard. */
function informerWorld() {
  const clock = new FakeClock();
  const delays: number[] = [];
  let lists = 0;
  let recovered = 0;
  let relists = 0;
  let listWatch: ScriptedListWatch<V1Service> | undefined;
  const informer = new RestartingInformer<V1Service>(
    { kubeConfig: {} as KubeConfig, path: '/api/v1/namespaces/shared/services', list: async () => ((lists += 1), { items: [] } as V1ServiceList) },
    { onChange: () => undefined, onError: (_error, delay) => delays.push(delay), onRecovered: () => (recovered += 1), onRelist: () => (relists += 1) },
    { clock, listWatch: (_spec, list) => (listWatch = new ScriptedListWatch(list)) },
  );
  const scripted = listWatch ?? assert.fail('the informer made its ListWatch');
  return { informer, clock, delays, scripted, counts: () => ({ lists, recovered, relists }) };
}

describe('RestartingInformer', () => {
  it('retries a start that fails with backoff, and is synced and healthy once a start succeeds', async () => {
    const { informer, clock, delays, scripted } = informerWorld();
    scripted.script(refused(), refused(), 'ok');
    await informer.start();
    assert.equal(informer.hasSynced, false);
    assert.equal(informer.healthy, false);
    assert.equal(informer.restarts, 1);
    await clock.advance(delays[0]);
    assert.equal(informer.restarts, 2);
    assert.ok(delays[1] > delays[0], `the second delay (${delays[1]} ms) is longer than the first (${delays[0]} ms)`);
    await clock.advance(delays[1]);
    assert.equal(scripted.starts, 3);
    assert.equal(informer.hasSynced, true);
    assert.equal(informer.healthy, true);
    assert.equal(clock.pending, 0, 'no restart left scheduled');
  });

  it('doubles its delay up to 30 s for an API error, and retries at least every 5 s while the server does not answer', async () => {
    const forbidden = informerWorld();
    forbidden.scripted.script(...Array.from({ length: 10 }, () => new FakeApiError(403, 'services is forbidden')));
    await forbidden.informer.start();
    for (let i = 0; i < 9; i += 1) await forbidden.clock.advance(forbidden.delays[i]);
    // 250 ms doubling, up to 20% less (jitter): 250, 500, ... then 30 s.
    forbidden.delays.forEach((delay, i) => assert.ok(delay <= Math.min(30_000, 250 * 2 ** i) && delay >= 0.8 * Math.min(30_000, 250 * 2 ** i), `delay ${i}: ${delay} ms`));
    assert.ok(forbidden.delays[8] > 20_000);
    const away = informerWorld();
    away.scripted.script(...Array.from({ length: 10 }, refused));
    await away.informer.start();
    for (let i = 0; i < 9; i += 1) await away.clock.advance(away.delays[i]);
    assert.ok(away.delays.every((delay) => delay <= 5_000), `delays ${away.delays.join(', ')}`);
  });

  it('makes readiness false while a broken watch keeps failing for longer than 10 s, and true again once it watches again', async () => {
    const { informer, clock, delays, scripted, counts } = informerWorld();
    const readiness = new Readiness();
    readiness.add('informers', () => informer.healthy);
    await informer.start();
    assert.deepEqual(await readiness.results(), [['informers', true]]);
    // Eight failed restarts take more than 11 s whatever the jitter.
    scripted.script(...Array.from({ length: 8 }, () => new FakeApiError(503, 'the server is shutting down')));
    scripted.fail(new Error('watch closed'));
    // Within its first 10 s a restart or two may fix it: still ready.
    await clock.advance(UNHEALTHY_AFTER_MS - 1_000);
    assert.ok(informer.restarts >= 2);
    assert.deepEqual(await readiness.results(), [['informers', true]]);
    await clock.advance(2_000);
    assert.deepEqual(await readiness.results(), [['informers', false]], 'failing for more than 10 s: not ready');
    // The server answers again: the restart after the eighth failure lists and watches.
    await clock.advance(30_000);
    assert.equal(delays.length, 9);
    assert.deepEqual(await readiness.results(), [['informers', true]]);
    assert.equal(counts().recovered, 1, 'it said once that it watches again');
    assert.equal(counts().lists, 2, 'the first start and the one that recovered listed');
  });

  it('stop() cancels a scheduled restart', async () => {
    const { informer, clock, scripted } = informerWorld();
    scripted.script(refused());
    await informer.start();
    assert.equal(clock.pending, 1);
    await informer.stop();
    assert.equal(clock.pending, 0);
    await clock.advance(60_000);
    assert.equal(scripted.starts, 1);
  });
});
