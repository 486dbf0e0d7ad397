import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rendezvousOwner } from './rendezvous';

const KEYS = Array.from({ length: 600 }, (_, i) => `tenant-${i}`);
const owners = (members: readonly string[]) => new Map(KEYS.map((key) => [key, rendezvousOwner(key, members)]));

describe('rendezvousOwner', () => {
  it('has no owner without members, and the only member owns everything', () => {
    assert.equal(rendezvousOwner('a', []), undefined);
    assert.ok(KEYS.every((key) => rendezvousOwner(key, ['only']) === 'only'));
  });

  it('does not depend on the order members are listed in', () => {
    const members = ['w-1', 'w-2', 'w-3'];
    assert.deepEqual(owners(members), owners([...members].reverse()));
  });

  it('spreads keys about evenly', () => {
    const counts = new Map<string, number>();
    for (const owner of owners(['w-1', 'w-2', 'w-3']).values()) counts.set(owner ?? '', (counts.get(owner ?? '') ?? 0) + 1);
    for (const [member, count] of counts) assert.ok(count > 150 && count < 250, `${member} owns ${count} of 600`);
  });

  it('a member joining takes only keys from the others, about 1/n of them; leaving gives back exactly its own', () => {
    const before = owners(['w-1', 'w-2']);
    const after = owners(['w-1', 'w-2', 'w-3']);
    const moved = KEYS.filter((key) => before.get(key) !== after.get(key));
    assert.ok(moved.every((key) => after.get(key) === 'w-3'), 'every moved key went to the new member');
    assert.ok(moved.length > 150 && moved.length < 250, `${moved.length} of 600 moved`);
    assert.deepEqual(owners(['w-1', 'w-2']), before, 'w-3 leaving restores the old assignment');
  });
});
