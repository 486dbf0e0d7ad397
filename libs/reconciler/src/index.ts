export { CONFLICT_REASON, DROPPED_REASON, OutcomeRecorder, type Reporter } from './outcome-recorder';
export { ReconcileMetrics, type PassFailure } from './reconcile-metrics';
export { Reconciler, TerminalReconcileError, type PassOutcome } from './reconciler';
export { SourceAccess } from './source-access';
export type { MappingLookup, PassSnapshots, TenantPodLookup } from './pass-state';
export { RECONCILE_WORKER_OPTIONS, ReconcileJobHandler, type PassLog, type ReconcileJobHandlerOptions } from './reconcile-job-handler';
export { planConfigChange, type PlannedKey } from './config-change-plan';
