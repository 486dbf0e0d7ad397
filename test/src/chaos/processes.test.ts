import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { FIELD_MANAGER } from '@service-replicator/kube';
import { serverSuite } from '../support/server-suite';
import { eventually } from '../support/wait';
import { ChaosEnvironment, TENANTS, waitFor } from './chaos-environment';
import { runRow, seconds } from './chaos-row';
import { CHANGES_PER_FAULT } from './fault-steps';
import { raceUnownedCreates } from './unowned-race';

const MAPPINGS = 500;
const KILLS = 5;

/**
 * Chaos rows for the processes: the writer SIGKILLed five times while 500 mappings converge, two
 * writers with one killed again and again while sources change, and a user creating their own
 * Service at a target name while the writer races to create the mirror (x20).
 */
serverSuite('chaos: writers killed, and races with a user', () => {
  let env: ChaosEnvironment;

  before(async () => {
    env = await ChaosEnvironment.start({ prefix: 'chaos-processes', fromHost: MAPPINGS, toHost: 10 });
  });
  after(async () => env?.stop());

  it(`writer SIGKILLed ${KILLS} times during the convergence of ${MAPPINGS} mappings`, async () => {
    const tenantA = env.fx.tenant('a').core;
    const mirrorCount = async () => (await tenantA.listServiceForAllNamespaces({ labelSelector: 'app.kubernetes.io/managed-by=service-replicator' })).items.length;
    const result = await runRow(env, {
      row: `writer SIGKILL x${KILLS} during convergence`,
      fault: `${MAPPINGS} fromHost + 10 toHost mappings published at once; the writer SIGKILLed and restarted each time another ~12% of mirrors exist`,
      // The first convergence of every mapping, not a repair: it is given more than a resync interval.
      convergeLimitMs: 300_000,
      noteSinceStart: true,
      run: async () => {
        const started = Date.now();
        await env.configure();
        env.expectMirrors();
        const killedAt: number[] = [];
        for (let kill = 1; kill <= KILLS; kill++) {
          const threshold = Math.round((MAPPINGS * kill * 12) / 100);
          await waitFor(async () => (await mirrorCount()) >= threshold, 300_000, `${threshold} mirrors`);
          await env.fx.replicator.kill('writer');
          killedAt.push(Date.now() - started);
          await env.fx.replicator.startApp('writer');
        }
        return { endedAt: Date.now(), notes: [`killed ${killedAt.map(seconds).join(', ')} after the config was written`] };
      },
    });
    assert.equal(result.lost.length, 0);
  });

  it('two writers, one SIGKILLed repeatedly while sources change', async () => {
    await env.fx.replicator.startReplica('writer');
    await runRow(env, {
      row: 'two writers, one killed x5',
      fault: 'a second writer running; the first SIGKILLed 5 times, 5 to 9 sources (host and tenant b) changed before each restart',
      run: async () => {
        for (let kill = 0; kill < KILLS; kill++) {
          await env.fx.replicator.kill('writer');
          await env.changeSourcePorts(CHANGES_PER_FAULT + kill);
          await env.fx.replicator.startApp('writer');
        }
        return { endedAt: Date.now() };
      },
    });
  });

  it('an unowned Service created at the target name while the writer races to create the mirror (x20)', async () => {
    await runRow(env, {
      row: 'unowned Service raced at the target name x20',
      fault: 'a mapping added, and a Service of the user\'s own created at its target name at the same moment, 20 times',
      run: (chaos) => raceUnownedCreates(chaos, 20),
    });
  });

  it('the probes can fail: a mirror deleted, and an object not ours modified with our field manager, are both seen', async () => {
    await env.waitConverged(60_000);
    env.expectMirrors();
    const observer = env.observers.get('a');
    assert.ok(observer);
    observer.take();
    const mirror = env.expectedMirrors.find((m) => m.cluster === 'a');
    assert.ok(mirror);
    const core = env.fx.tenant('a').core;
    await core.deleteNamespacedService({ namespace: mirror.namespace, name: mirror.name });
    const poke = [{ op: 'add', path: '/metadata/annotations', value: { poked: 'by the suite' } }];
    await core.patchNamespacedService({ namespace: 'default', name: 'user-plain', body: poke, fieldManager: FIELD_MANAGER });
    const seen = { lost: new Set<string>(), touched: new Set<string>() };
    await eventually(() => {
      const taken = observer.take();
      taken.lost.forEach((id) => seen.lost.add(id));
      taken.touched.forEach((id) => seen.touched.add(id));
      return seen.lost.size > 0 && seen.touched.size > 0 ? true : undefined;
    });
    assert.deepEqual([...seen.lost], [`Service ${mirror.namespace}/${mirror.name}`]);
    assert.deepEqual([...seen.touched], ['Service default/user-plain (modified)']);
    assert.deepEqual(observer.notOursWrittenByUs(TENANTS), ['Service default/user-plain']);
    // The writer puts the deleted mirror back.
    await env.waitConverged(60_000);
  });
}, 25 * 60_000);
