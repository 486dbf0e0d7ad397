export { CONFLICT_REASON, DROPPED_REASON, OutcomeRecorder, type Reporter } from './outcome-recorder';
export { ReconcileMetrics, type PassFailure } from './reconcile-metrics';
export { Reconciler, TerminalReconcileError, type PassOutcome } from './reconciler';
export { SourceAccess } from './source-access';
export type { TenantPodLookup } from './pass-state';
export { ReplicationWorker, type PassLog, type ReplicationWorkerOptions } from './replication-worker';
export { planConfigChange, type PlannedKey } from './config-change-plan';
