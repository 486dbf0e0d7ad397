export { InMemoryMappingStore } from './in-memory-mapping-store';
export { InMemorySnapshotStore } from './in-memory-snapshot-store';
export * as snapshotContract from './snapshot-store.contract';
