import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Mapping } from './model';
import { keysOf, watchPlan } from './watch-plan';

const fromHost: Mapping = {
  tenant: 'a',
  direction: 'fromHost',
  source: { namespace: 'shared', name: 'db' },
  target: { namespace: 'default', name: 'db' },
};
const toHost: Mapping = {
  tenant: 'a',
  direction: 'toHost',
  source: { namespace: 'apps', name: 'web' },
  target: { namespace: 'vc-a', name: 'a-web' },
};

describe('watchPlan', () => {
  const cases = [
    {
      side: 'host' as const,
      namespaces: ['shared', 'vc-a'],
      hits: [
        [{ namespace: 'shared', name: 'db' }, ['a/fromHost/default/db']],
        [{ namespace: 'vc-a', name: 'a-web' }, ['a/toHost/vc-a/a-web']],
        [{ namespace: 'default', name: 'db' }, []],
      ],
    },
    {
      side: 'tenant' as const,
      namespaces: ['apps', 'default'],
      hits: [
        [{ namespace: 'default', name: 'db' }, ['a/fromHost/default/db']],
        [{ namespace: 'apps', name: 'web' }, ['a/toHost/vc-a/a-web']],
        [{ namespace: 'shared', name: 'db' }, []],
      ],
    },
  ] as const;
  for (const { side, namespaces, hits } of cases) {
    it(`on the ${side} side watches sources and targets that live there`, () => {
      const plan = watchPlan([fromHost, toHost], side);
      assert.deepEqual(plan.namespaces, namespaces);
      assert.deepEqual(plan.keys, ['a/fromHost/default/db', 'a/toHost/vc-a/a-web']);
      for (const [ref, keys] of hits) assert.deepEqual(plan.keysFor(ref), keys);
      for (const [ref, keys] of hits) if (keys.length > 0) assert.deepEqual(plan.inNamespace(ref.namespace).flatMap(keysOf), keys);
    });
  }

  it('maps one source to every key that reads it', () => {
    const second: Mapping = { ...fromHost, target: { namespace: 'other', name: 'db' } };
    assert.deepEqual(watchPlan([fromHost, second], 'host').keysFor(fromHost.source), ['a/fromHost/default/db', 'a/fromHost/other/db']);
  });
});

describe('watchPlan roles', () => {
  it('tells a source (with its mappings) from a target (with its keys)', () => {
    const host = watchPlan([fromHost, toHost], 'host');
    assert.deepEqual(host.watched(fromHost.source), { ref: fromHost.source, sourceOf: [fromHost], targetOf: [] });
    assert.deepEqual(host.watched(toHost.target), { ref: toHost.target, sourceOf: [], targetOf: ['a/toHost/vc-a/a-web'] });
    assert.equal(host.watched({ namespace: 'shared', name: 'other' }), undefined);
  });
});
