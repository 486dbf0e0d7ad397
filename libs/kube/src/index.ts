export { apiMessage, apiStatus, isNotFound, readOptional } from './api-error';
export { exponentialBackoff, type Backoff } from './backoff';
export { ClusterClient, FIELD_MANAGER, type DeleteTarget, type LiveView, type MirroredKind, type MirroredObject, type WarningEvent } from './cluster-client';
export { loadKubeConfig } from './kube-config';
export { RestartingInformer, type InformerHandlers, type InformerSpec, type InformerVerb } from './restarting-informer';
export type { SnapshotSink } from './snapshot-sink';
export { ClusterRegistry } from './cluster-registry';
export { ClusterWatcher, type WatchEvents } from './cluster-watcher';
export { WatcherMetrics } from './watcher-metrics';
