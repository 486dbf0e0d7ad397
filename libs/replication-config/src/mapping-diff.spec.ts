import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffMappings, type MappingDiff } from './mapping-diff';
import type { Direction, Mapping } from './model';

function mapping(tenant: string, direction: Direction, source: string, target: string): Mapping {
  const ref = (text: string) => ({ namespace: text.split('/')[0], name: text.split('/')[1] });
  return { tenant, direction, source: ref(source), target: ref(target) };
}

const webOut = mapping('a', 'toHost', 'default/web', 'vc-a/web');
const webOutFromApi = mapping('a', 'toHost', 'default/api', 'vc-a/web');
const dbIn = mapping('a', 'fromHost', 'data/db', 'default/db');
const dbInOtherTenant = mapping('b', 'fromHost', 'data/db', 'default/db');
const dbInOtherDirection = mapping('a', 'toHost', 'data/db', 'default/db');

describe('diffMappings', () => {
  const cases: { name: string; previous: Mapping[]; next: Mapping[]; expected: MappingDiff }[] = [
    { name: 'nothing to nothing', previous: [], next: [], expected: { added: [], changed: [], removed: [] } },
    { name: 'first config', previous: [], next: [webOut, dbIn], expected: { added: [webOut, dbIn], changed: [], removed: [] } },
    { name: 'config emptied', previous: [webOut, dbIn], next: [], expected: { added: [], changed: [], removed: [webOut, dbIn] } },
    { name: 'unchanged, in another order', previous: [webOut, dbIn], next: [dbIn, webOut], expected: { added: [], changed: [], removed: [] } },
    {
      name: 'same target, new source',
      previous: [webOut, dbIn],
      next: [webOutFromApi, dbIn],
      expected: { added: [], changed: [webOutFromApi], removed: [] },
    },
    {
      name: 'tenant and direction are part of the key',
      previous: [dbIn],
      next: [dbInOtherTenant, dbInOtherDirection],
      expected: { added: [dbInOtherTenant, dbInOtherDirection], changed: [], removed: [dbIn] },
    },
  ];
  for (const { name, previous, next, expected } of cases) {
    it(name, () => assert.deepEqual(diffMappings(previous, next), expected));
  }
});
