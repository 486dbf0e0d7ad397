export { FakeApiError, InMemoryCluster, InMemoryClusters, type InjectedFailure } from './in-memory-cluster';
