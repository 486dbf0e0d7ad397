import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostLabelKey, safeConcatName, translateSelector } from './selector-translation';

// Expected hashes computed outside the code under test:
//   printf release | sha256sum                          -> a4d451ec23463726...
//   printf vcluster.loft.sh/namespace | sha256sum       -> 101dcd4e8634a436...
//   printf vcluster.loft.sh/managed-by | sha256sum      -> e5f1b28ab2c3b351...
//   printf vcluster.loft.sh/controlled-by | sha256sum   -> 2080cec00f6df08d...
//   printf vcluster.loft.sh/label-tenant-with-a-rather-long-name-x-a4d451ec23 | sha256sum -> 711e00aec3...
describe('translateSelector', () => {
  it('keeps ordinary keys and adds the vCluster pod labels', () => {
    assert.deepEqual(translateSelector({ app: 'web', tier: 'front' }, 'my-vcluster', 'shop'), {
      app: 'web',
      tier: 'front',
      'vcluster.loft.sh/managed-by': 'my-vcluster',
      'vcluster.loft.sh/namespace': 'shop',
    });
  });

  it('hashes each reserved key, keeping its value', () => {
    const translated = translateSelector(
      {
        release: 'r1',
        'vcluster.loft.sh/namespace': 'n',
        'vcluster.loft.sh/managed-by': 'm',
        'vcluster.loft.sh/controlled-by': 'c',
      },
      'my-vcluster',
      'shop',
    );
    assert.deepEqual(translated, {
      'vcluster.loft.sh/label-my-vcluster-x-a4d451ec23': 'r1',
      'vcluster.loft.sh/label-my-vcluster-x-101dcd4e86': 'n',
      'vcluster.loft.sh/label-my-vcluster-x-e5f1b28ab2': 'm',
      'vcluster.loft.sh/label-my-vcluster-x-2080cec00f': 'c',
      'vcluster.loft.sh/managed-by': 'my-vcluster',
      'vcluster.loft.sh/namespace': 'shop',
    });
  });

  it('shortens a hashed key over 63 characters to 52 characters plus a hash of the whole', () => {
    const key = hostLabelKey('release', 'tenant-with-a-rather-long-name');
    assert.equal(key, 'vcluster.loft.sh/label-tenant-with-a-rather-long-nam-711e00aec3');
    assert.equal(key.length, 63);
  });

  it('leaves a missing selector missing', () => {
    assert.equal(translateSelector(undefined, 'my-vcluster', 'shop'), undefined);
  });

  it('turns an empty selector into one that selects only the tenant namespace', () => {
    assert.deepEqual(translateSelector({}, 't', 'ns'), {
      'vcluster.loft.sh/managed-by': 't',
      'vcluster.loft.sh/namespace': 'ns',
    });
  });
});

describe('safeConcatName', () => {
  it('joins short parts with dashes', () => {
    assert.equal(safeConcatName('a', 'b', 'c'), 'a-b-c');
  });
});
