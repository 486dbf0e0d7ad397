import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mappingKey, mappingKeyOf, parseMappingKey, type MappingKeyParts } from './mapping-key';

describe('mappingKey', () => {
  it('is tenant/direction/namespace/name, without ":"', () => {
    const key = mappingKey('team-a', 'toHost', { namespace: 'vc-a', name: 'web' });
    assert.equal(key, 'team-a/toHost/vc-a/web');
    assert.ok(!key.includes(':'));
  });

  it('names the target of a mapping', () => {
    const mapping = {
      tenant: 'team-a',
      direction: 'fromHost' as const,
      source: { namespace: 'db', name: 'pg' },
      target: { namespace: 'default', name: 'pg' },
    };
    assert.equal(mappingKeyOf(mapping), 'team-a/fromHost/default/pg');
  });
});

describe('parseMappingKey', () => {
  const cases: { key: string; expected: MappingKeyParts | undefined }[] = [
    { key: 'team-a/toHost/vc-a/web', expected: { tenant: 'team-a', direction: 'toHost', target: { namespace: 'vc-a', name: 'web' } } },
    { key: 'team-a/fromHost/default/db', expected: { tenant: 'team-a', direction: 'fromHost', target: { namespace: 'default', name: 'db' } } },
    { key: 'team-a/sideways/vc-a/web', expected: undefined },
    { key: 'team-a/toHost/vc-a', expected: undefined },
    { key: 'team-a/toHost/vc-a/web/x', expected: undefined },
    { key: 'team-a/toHost//web', expected: undefined },
    { key: 'team-a/toHost/vc-a/1web', expected: undefined },
    { key: 'Team/toHost/vc-a/web', expected: undefined },
    { key: 'team-a:toHost:vc-a:web', expected: undefined },
    { key: '', expected: undefined },
  ];
  for (const { key, expected } of cases) {
    it(`${JSON.stringify(key)} -> ${expected ? 'parts' : 'undefined'}`, () => assert.deepEqual(parseMappingKey(key), expected));
  }

  it('round-trips mappingKey', () => {
    const parts: MappingKeyParts = { tenant: 't1', direction: 'fromHost', target: { namespace: 'n-1', name: 's-1' } };
    assert.deepEqual(parseMappingKey(mappingKey(parts.tenant, parts.direction, parts.target)), parts);
  });
});
