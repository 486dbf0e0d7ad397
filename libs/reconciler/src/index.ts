export { CONFLICT_REASON, OutcomeRecorder, type Reporter } from './outcome-recorder';
export { ReconcileMetrics, type PassFailure } from './reconcile-metrics';
export { Reconciler, TerminalReconcileError, type PassOutcome } from './reconciler';
export { ReplicationWorker, type PassLog, type ReplicationWorkerOptions } from './replication-worker';
export { planConfigChange, type PlannedKey } from './config-change-plan';
