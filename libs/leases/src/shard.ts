import type { WantedLeases } from './lease-keeper';
import type { Membership } from './membership';
import { rendezvousOwner } from './rendezvous';

/**
 * The keys this member should hold among `keys()`: it beats in the membership (so the others count
 * it) and takes the keys rendezvous hashing gives it among the live members. A member that stops
 * beating drops out after `ttlMs`, and the others then want its keys.
 */
export function shardOfMember(membership: Membership, member: string, ttlMs: number, keys: () => readonly string[]): WantedLeases {
  return async () => {
    const members = await membership.beat(member, ttlMs);
    return keys().filter((key) => rendezvousOwner(key, members) === member);
  };
}
