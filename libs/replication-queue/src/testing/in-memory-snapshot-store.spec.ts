import { describe } from 'node:test';
import { InMemorySnapshotStore } from './in-memory-snapshot-store';
import { snapshotStoreContract } from './snapshot-store.contract';

describe('InMemorySnapshotStore keeps the contract of the Redis SnapshotStore', () => {
  snapshotStoreContract(() => new InMemorySnapshotStore());
});
