export { MAPPINGS_CHANGED, type MappingsChanged } from './announcements';
export { MappingStore, type ConfigCheck, type PublicationExtras, type PublishedTenant } from './mapping-store';
export {
  RECONCILE_JOB,
  RECONCILE_QUEUE,
  ReconcileQueue,
  reconcileJobOptions,
  retryDelayMs,
  type ReconcileJobData,
} from './reconcile-queue';
export { registerQueueDepth } from './queue-metrics';
export { redisConnection, redisReady } from './redis-connection';
export { StatusStore, type MappingStatus, type ReplicationState } from './status-store';
export { ReplicatorRedis } from './replicator-redis';
export { ReplicatorRedisModule } from './replicator-redis.module';
