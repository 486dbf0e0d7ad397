import { createHash } from 'node:crypto';

/**
 * Rendezvous (highest random weight) hashing: each key goes to the member whose hash with it is the
 * highest. Every replica computes the same owner from the same member list, with no coordination,
 * and a member joining or leaving moves only the keys it wins or held (about 1/n of them).
 */
export function rendezvousOwner(key: string, members: readonly string[]): string | undefined {
  let owner: string | undefined;
  let best = -1n;
  for (const member of members) {
    const weight = createHash('sha256').update(member).update('\0').update(key).digest().readBigUInt64BE(0);
    if (weight > best || (weight === best && owner !== undefined && member < owner)) {
      best = weight;
      owner = member;
    }
  }
  return owner;
}
