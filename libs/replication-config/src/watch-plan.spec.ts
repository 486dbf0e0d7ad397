import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Mapping } from './model';
import { watchPlan } from './watch-plan';

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
      for (const [ref, keys] of hits) if (keys.length > 0) assert.deepEqual(plan.keysIn(ref.namespace), keys);
    });
  }

  it('maps one source to every key that reads it', () => {
    const second: Mapping = { ...fromHost, target: { namespace: 'other', name: 'db' } };
    assert.deepEqual(watchPlan([fromHost, second], 'host').keysFor(fromHost.source), ['a/fromHost/default/db', 'a/fromHost/other/db']);
  });
});
