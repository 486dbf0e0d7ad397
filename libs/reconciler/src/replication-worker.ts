import type { Span } from '@opentelemetry/api';
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import { apiMessage, apiStatus } from '@service-replicator/kube';
import { redactSecrets } from '@service-replicator/redaction';
import { parseMappingKey } from '@service-replicator/replication-config';
import { RECONCILE_QUEUE, retryDelayMs, type ReconcileJobData, type ReconcileQueue, type RedisClient } from '@service-replicator/replication-queue';
import { ATTR, currentTraceId, inSpan, queueTelemetry } from '@service-replicator/telemetry';
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

export interface ReplicationWorkerOptions {
  readonly connection: RedisClient;
  readonly prefix: string;
  readonly concurrency: number;
  readonly reconciler: Reconciler;
  readonly recorder: OutcomeRecorder;
  /** For the follow-up pass after a write. */
  readonly queue: ReconcileQueue;
  readonly log: PassLog;
  readonly metrics?: ReconcileMetrics;
  readonly onPass?: (outcome: PassOutcome, job: Job<ReconcileJobData>) => void;
}

/** The BullMQ worker: one reconcile pass per job, errors turned into the queue's retry rules. */
export class ReplicationWorker {
  readonly worker: Worker<ReconcileJobData>;

  constructor(private readonly options: ReplicationWorkerOptions) {
    this.worker = new Worker<ReconcileJobData>(RECONCILE_QUEUE, (job, token) => this.process(job, token), {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency,
      lockDuration: LOCK_MS,
      stalledInterval: STALLED_CHECK_MS,
      settings: { backoffStrategy: (attemptsMade: number) => retryDelayMs(attemptsMade) },
      // The pass continues the trace of whatever enqueued its job (BullMQ's consumer span).
      telemetry: queueTelemetry(),
    });
    this.worker.on('error', (error) => options.log.error({ err: error }, 'worker error'));
  }

  async close(): Promise<void> {
    await this.worker.close();
    // BullMQ leaves a connection it was given open.
    await this.options.connection.quit().catch(() => this.options.connection.disconnect());
  }

  private process(job: Job<ReconcileJobData>, token: string | undefined): Promise<void> {
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
