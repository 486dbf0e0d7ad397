export { FakeApiError, InMemoryCluster, InMemoryClusters, type InjectedFailure } from './in-memory-cluster';
export { FakeClock, ScriptedListWatch } from './scripted-list-watch';
