export { InMemoryMappingStore } from './in-memory-mapping-store';
export { InMemorySnapshotStore } from './in-memory-snapshot-store';
