import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Mapping } from '@service-replicator/replication-config';
import { isOwned, ownershipAnnotations, ownershipLabels } from './ownership';

const mapping: Mapping = {
  tenant: 'blue',
  direction: 'fromHost',
  source: { namespace: 'db', name: 'postgres' },
  target: { namespace: 'default', name: 'pg' },
};

describe('ownership marker', () => {
  it('labels the tenant and direction and annotates the source', () => {
    assert.deepEqual(ownershipLabels(mapping), {
      'app.kubernetes.io/managed-by': 'service-replicator',
      'replicator.service-replicator.io/tenant': 'blue',
      'replicator.service-replicator.io/direction': 'fromHost',
    });
    // In the tenant cluster, vCluster's syncer is told the mirror is not its to copy to the host.
    assert.deepEqual(ownershipAnnotations(mapping), {
      'replicator.service-replicator.io/source': 'host:db/postgres',
      'vcluster.loft.sh/controlled-by': 'service-replicator',
    });
    assert.deepEqual(ownershipAnnotations({ ...mapping, direction: 'toHost' }), {
      'replicator.service-replicator.io/source': 'tenant:db/postgres',
    });
  });

  const cases: { name: string; labels?: Record<string, string>; owned: boolean }[] = [
    { name: 'our labels', labels: ownershipLabels(mapping), owned: true },
    { name: 'no labels', labels: undefined, owned: false },
    { name: 'another manager', labels: { ...ownershipLabels(mapping), 'app.kubernetes.io/managed-by': 'helm' }, owned: false },
    { name: 'another tenant', labels: ownershipLabels({ tenant: 'green', direction: 'fromHost' }), owned: false },
    // The direction label is drift, not ownership: a hand edit of it is reverted, not a conflict.
    { name: 'a hand-edited direction label', labels: ownershipLabels({ tenant: 'blue', direction: 'toHost' }), owned: true },
  ];
  for (const { name, labels, owned } of cases) {
    it(`isOwned with ${name} is ${owned}`, () => {
      assert.equal(isOwned({ metadata: { labels } }, mapping), owned);
      assert.equal(isOwned({ metadata: { labels } }, { tenant: 'blue', direction: 'fromHost' }), owned);
    });
  }

  it('an absent object is not ours', () => {
    assert.equal(isOwned(undefined, mapping), false);
  });
});
