import type { Span } from '@opentelemetry/api';
import { DelayedError, UnrecoverableError, type Job, type WorkerOptions } from 'bullmq';
import { apiMessage, apiStatus } from '@service-replicator/kube';
import { redactSecrets } from '@service-replicator/redaction';
import { parseMappingKey } from '@service-replicator/replication-config';
import { retryDelayMs, type ReconcileJobData, type ReconcileQueue } from '@service-replicator/replication-queue';
import { ATTR, currentTraceId, inSpan } from '@service-replicator/telemetry';
import type { OutcomeRecorder } from './outcome-recorder';
import { jobAttributes, outcomeAttributes } from './pass-attributes';
import type { PassFailure, ReconcileMetrics } from './reconcile-metrics';
import { TerminalReconcileError, type PassOutcome, type Reconciler } from './reconciler';

/** A write that lost a race (409): the next pass reads the new state, so retry soon, not with backoff. */
const CONFLICT_REQUEUE_MS = 1_000;

/**
 * A pass takes milliseconds, so a short lock costs little renewal traffic and means the jobs of a
 * writer that dies (SIGKILL, OOM, node loss) are taken over by another replica within ~15 s,
 * rather than BullMQ's default 30 s lock plus 30 s stalled-check.
 */
const LOCK_MS = 10_000;
const STALLED_CHECK_MS = 5_000;

export interface PassLog {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/**
 * The reconcile worker's settings beside its connection, prefix and telemetry (the queue's): a
 * short lock, failed passes retried with our backoff, and no start before the app has started
 * (its concurrency comes from the settings then).
 */
export const RECONCILE_WORKER_OPTIONS = {
  lockDuration: LOCK_MS,
  stalledInterval: STALLED_CHECK_MS,
  autorun: false,
  settings: { backoffStrategy: (attemptsMade: number) => retryDelayMs(attemptsMade) },
} satisfies Partial<WorkerOptions>;

export interface ReconcileJobHandlerOptions {
  readonly reconciler: Pick<Reconciler, 'reconcile'>;
  readonly recorder: Pick<OutcomeRecorder, 'previous' | 'record' | 'recordError'>;
  /** For the follow-up pass after a write. */
  readonly queue: Pick<ReconcileQueue, 'enqueueAfter'>;
  readonly log: PassLog;
  readonly metrics?: ReconcileMetrics;
  readonly onPass?: (outcome: PassOutcome, job: Job<ReconcileJobData>) => void;
}

/**
 * What the worker does with a job: one reconcile pass, inside a span that continues the trace of
 * whatever enqueued it, and its errors turned into the queue's rules: a write conflict (409) is
 * looked at again in a second (moveToDelayed + DelayedError), a terminal error is not retried
 * (UnrecoverableError), anything else is retried with backoff.
 */
export class ReconcileJobHandler {
  constructor(private readonly options: ReconcileJobHandlerOptions) {}

  process(job: Job<ReconcileJobData>, token: string | undefined): Promise<void> {
    return inSpan('reconcile', jobAttributes(job.data), (span) => this.pass(job, token, span));
  }

  private async pass(job: Job<ReconcileJobData>, token: string | undefined, span: Span): Promise<void> {
    const { key, seenAt } = job.data;
    const { log, reconciler, recorder, queue } = this.options;
    try {
      // The status record is read while the pass runs: one round trip less per pass.
      const previous = recorder.previous(key);
      const outcome = await reconciler.reconcile(key);
      span.setAttributes(outcomeAttributes(outcome));
      await recorder.record(outcome, currentTraceId(), previous);
      this.options.metrics?.passed(outcome, seenAt);
      // A resync passes every key: only passes that wrote or found something wrong are worth a line.
      const level = outcome.wrote || outcome.state === 'conflict' || outcome.state === 'error' ? 'info' : 'debug';
      log[level]({ key, state: outcome.state, wrote: outcome.wrote, cause: job.data.cause }, outcome.wrote ?? outcome.message);
      this.options.onPass?.(outcome, job);
      if (outcome.retryInMs !== undefined) await queue.enqueueAfter(key, outcome.retryInMs, 'not synced yet', seenAt, job.opts.priority);
    } catch (error) {
      await this.failed(job, token, error, span);
    }
  }

  private async failed(job: Job<ReconcileJobData>, token: string | undefined, error: unknown, span: Span): Promise<never> {
    const { key } = job.data;
    const parts = parseMappingKey(key);
    // BullMQ keeps the message (failedReason) and stack of what a pass throws, and Bull Board shows them.
    const message = redactSecrets(error instanceof TerminalReconcileError ? error.message : apiMessage(error));
    const count = (failure: PassFailure) => {
      span.setAttribute(ATTR.outcome, failure);
      this.options.metrics?.failed(parts?.direction ?? 'unknown', failure);
    };
    if (apiStatus(error) === 409) {
      count('write-conflict');
      this.options.log.info({ key }, `write conflict, requeue in ${CONFLICT_REQUEUE_MS} ms: ${message}`);
      await job.moveToDelayed(Date.now() + CONFLICT_REQUEUE_MS, token);
      throw new DelayedError();
    }
    if (parts) await this.options.recorder.recordError({ key, parts }, message, currentTraceId()).catch(() => undefined);
    if (error instanceof TerminalReconcileError || !parts) {
      count('gave-up');
      this.options.log.error({ key }, `giving up: ${message}`);
      throw new UnrecoverableError(message);
    }
    count('retry');
    this.options.log.warn({ key, attempt: job.attemptsMade + 1, err: error }, `pass failed, will retry: ${message}`);
    throw new Error(message);
  }
}
