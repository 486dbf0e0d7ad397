export { MAPPINGS_CHANGED, type MappingsChanged } from './announcements';
export { MappingsController, MappingsReloader } from './mappings.controller';
export { MappingStore, type ConfigCheck, type PublishedMappings, type KeyLookup, type PublicationExtras, type PublishedTenant, type PublishedTenantRecord } from './mapping-store';
export { HOST_CLUSTER, SnapshotStore, tenantCluster, type ClusterId, type ServiceView, type SnapshotView } from './snapshot-store';
export {
  RECONCILE_JOB,
  RECONCILE_QUEUE,
  ReconcileQueue,
  reconcileJobOptions,
  reconcileQueueOptions,
  retryDelayMs,
  type ReconcileJobData,
} from './reconcile-queue';
export { PodAddressStore, type PodAddressLookup } from './pod-address-store';
export { registerQueueDepth } from './queue-metrics';
export { redisConnection, redisReady, type ConnectionRole, type RedisClient } from './redis-connection';
export { StatusStore, type MappingStatus, type ReplicationState } from './status-store';
export { ReplicatorRedis, type ReplicatorRedisParts } from './replicator-redis';
export { QUEUE_CONNECTION, ReplicatorRedisModule, type ReplicatorRedisOptions } from './replicator-redis.module';
