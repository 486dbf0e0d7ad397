import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostLabelKey, isTranslatedLabelKey, safeConcatName, translateSelector } from './selector-translation';

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

// vCluster's HostLabelsMap skips a key for which IsTranslatedLabel holds: one equal to the hashed
// form of a reserved key for this vCluster name (pkg/util/translate/labels.go).
describe('translateSelector: keys already translated', () => {
  const cases: { name: string; selector: Record<string, string>; tenant: string; expected: Record<string, string> }[] = [
    {
      name: "drops this tenant's hashed release key, keeps the rest",
      selector: { app: 'web', 'vcluster.loft.sh/label-my-vcluster-x-a4d451ec23': 'r1' },
      tenant: 'my-vcluster',
      expected: { app: 'web' },
    },
    {
      name: 'drops every reserved key in its hashed form',
      selector: {
        'vcluster.loft.sh/label-my-vcluster-x-101dcd4e86': 'n',
        'vcluster.loft.sh/label-my-vcluster-x-e5f1b28ab2': 'm',
        'vcluster.loft.sh/label-my-vcluster-x-2080cec00f': 'c',
      },
      tenant: 'my-vcluster',
      expected: {},
    },
    {
      name: 'drops the shortened form of a long tenant name',
      selector: { 'vcluster.loft.sh/label-tenant-with-a-rather-long-nam-711e00aec3': 'r1', tier: 'db' },
      tenant: 'tenant-with-a-rather-long-name',
      expected: { tier: 'db' },
    },
    {
      name: "keeps another vCluster's hashed key: for this tenant it is an ordinary key",
      selector: { 'vcluster.loft.sh/label-other-x-a4d451ec23': 'r1' },
      tenant: 'my-vcluster',
      expected: { 'vcluster.loft.sh/label-other-x-a4d451ec23': 'r1' },
    },
    {
      name: 'keeps a look-alike whose hash is of no reserved key',
      selector: { 'vcluster.loft.sh/label-my-vcluster-x-0123456789': 'v' },
      tenant: 'my-vcluster',
      expected: { 'vcluster.loft.sh/label-my-vcluster-x-0123456789': 'v' },
    },
  ];
  for (const { name, selector, tenant, expected } of cases) {
    it(name, () => {
      assert.deepEqual(translateSelector(selector, tenant, 'shop'), {
        ...expected,
        'vcluster.loft.sh/managed-by': tenant,
        'vcluster.loft.sh/namespace': 'shop',
      });
    });
  }

  it('isTranslatedLabelKey holds exactly for the host forms of the reserved keys', () => {
    assert.equal(isTranslatedLabelKey(hostLabelKey('release', 't'), 't'), true);
    assert.equal(isTranslatedLabelKey(hostLabelKey('release', 't'), 'u'), false);
    assert.equal(isTranslatedLabelKey('release', 't'), false);
    assert.equal(isTranslatedLabelKey('app', 't'), false);
  });
});

describe('safeConcatName', () => {
  it('joins short parts with dashes', () => {
    assert.equal(safeConcatName('a', 'b', 'c'), 'a-b-c');
  });
});
