export { controlPlaneBinaries, repoRoot } from './binaries';
export { startControlPlane, type ControlPlane, type ControlPlaneOptions } from './control-plane';
export { freePort } from './free-port';
export { grantRoles, mintServiceAccountIdentity, revokeRoles, type Identity, type ServiceAccountGrants } from './identities';
export { ManagedProcess, ProcessScope, runProcess, waitUntilReady, type ProcessEnd, type ProcessOptions, type ProcessResult, type RunOptions } from './managed-process';
export { OtlpReceiver, type ReceivedSpan } from './otlp-receiver';
export { startRedis, type RedisServer } from './redis-server';
export { APPS, ReplicatorProcesses, type AppName, type ReplicatorOptions } from './replicator-processes';
export { machineFacts, measuredCode, type MachineFacts, type MeasuredCode } from './run-info';
