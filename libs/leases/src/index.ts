export { FENCE_CHECK_LUA, FencedError, LeaseStore, type Fence, type Lease } from './lease-store';
export { LeaseKeeper, type LeaseTiming, type WantedLeases } from './lease-keeper';
export { Membership } from './membership';
export { rendezvousOwner } from './rendezvous';
export { shardOfMember } from './shard';
