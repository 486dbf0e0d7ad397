import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { FakeApiError } from '@service-replicator/kube/testing';
import { parseMappingKey } from '@service-replicator/replication-config';
import type { ReconcileJobData } from '@service-replicator/replication-queue';
import { ReconcileJobHandler, type PassLog } from './reconcile-job-handler';
import { TerminalReconcileError, type PassOutcome } from './reconciler';

const KEY = 'a/fromHost/default/db';

/** A BullMQ job as the handler sees it: its data, options and moveToDelayed. */
function jobOf(key = KEY, attemptsMade = 0) {
  const delayedTo: { timestamp: number; token?: string }[] = [];
  const job = {
    data: { key, seenAt: Date.now() - 5, cause: 'test' },
    opts: { priority: 7 },
    attemptsMade,
    moveToDelayed: async (timestamp: number, token?: string) => void delayedTo.push({ timestamp, token }),
  };
  return { job: job as unknown as Job<ReconcileJobData>, delayedTo };
}

/** The handler with a reconciler that returns or throws what the test says, and what it told the queue and the status. */
function handlerThat(reconcile: (key: string) => Promise<PassOutcome>) {
  const recorded: PassOutcome[] = [];
  const errors: string[] = [];
  const followUps: { key: string; delayMs: number; priority?: number }[] = [];
  const lines: { level: string; message: string }[] = [];
  const log = Object.fromEntries(['debug', 'info', 'warn', 'error'].map((level) => [level, (_: object, message: string) => void lines.push({ level, message })])) as unknown as PassLog;
  const handler = new ReconcileJobHandler({
    reconciler: { reconcile },
    recorder: {
      previous: async () => undefined,
      record: async (outcome) => (recorded.push(outcome), undefined),
      recordError: async (_outcome, message) => void errors.push(message),
    },
    queue: { enqueueAfter: async (key, delayMs, _cause, _seenAt, priority) => void followUps.push({ key, delayMs, priority }) },
    log,
  });
  return { handler, recorded, errors, followUps, lines };
}

const PARTS = parseMappingKey(KEY) ?? assert.fail('KEY is a reconcile key');
const outcome = (fields: Partial<PassOutcome>): PassOutcome => ({ key: KEY, parts: PARTS, state: 'in-sync', message: 'in sync', ...fields });

describe('ReconcileJobHandler: what a pass tells the queue', () => {
  it('a pass that converged completes the job and records its outcome', async () => {
    const { handler, recorded, followUps, errors } = handlerThat(async () => outcome({ wrote: 'create tenant a Service default/db' }));
    await handler.process(jobOf().job, 'token');
    assert.deepEqual(recorded.map((o) => o.state), ['in-sync']);
    assert.deepEqual(followUps, []);
    assert.deepEqual(errors, []);
  });

  it('a pass that asks to look again (a namespace not listed yet) enqueues a follow-up with the job priority', async () => {
    const { handler, followUps } = handlerThat(async () => outcome({ state: 'pending', retryInMs: 2_000 }));
    await handler.process(jobOf().job, 'token');
    assert.deepEqual(followUps, [{ key: KEY, delayMs: 2_000, priority: 7 }]);
  });

  it('a write conflict (409) moves the job to delayed for a second and ends with DelayedError, no error recorded', async () => {
    const { handler, errors } = handlerThat(async () => {
      throw new FakeApiError(409, 'the object has been modified');
    });
    const { job, delayedTo } = jobOf();
    const before = Date.now();
    await assert.rejects(handler.process(job, 'token-1'), DelayedError);
    assert.equal(delayedTo.length, 1);
    assert.equal(delayedTo[0].token, 'token-1');
    assert.ok(delayedTo[0].timestamp >= before + 1_000 && delayedTo[0].timestamp <= Date.now() + 1_000);
    assert.deepEqual(errors, []);
  });

  it('a terminal error fails the job without retry (UnrecoverableError) and records it', async () => {
    const { handler, errors, lines } = handlerThat(async () => {
      throw new TerminalReconcileError('create tenant a Service default/db was rejected: spec.ports: Required value');
    });
    await assert.rejects(handler.process(jobOf().job, 'token'), (error: Error) => error instanceof UnrecoverableError && /was rejected/.test(error.message));
    assert.deepEqual(errors, ['create tenant a Service default/db was rejected: spec.ports: Required value']);
    assert.ok(lines.some((line) => line.level === 'error' && line.message.startsWith('giving up')));
  });

  it('any other error is retried with backoff (a plain Error), recorded with the API server message, credentials redacted', async () => {
    const { handler, errors } = handlerThat(async () => {
      throw new FakeApiError(503, 'etcd unavailable; Authorization: Bearer abc.def.ghi');
    });
    await assert.rejects(handler.process(jobOf(KEY, 2).job, 'token'), (error: Error) => !(error instanceof UnrecoverableError) && !(error instanceof DelayedError) && /etcd unavailable/.test(error.message) && !error.message.includes('abc.def'));
    assert.equal(errors.length, 1);
    assert.doesNotMatch(errors[0], /abc\.def/);
  });

  it('a job whose key is not a reconcile key fails without retry', async () => {
    const { handler } = handlerThat(async (key) => {
      throw new TerminalReconcileError(`"${key}" is not a reconcile key (tenant/direction/namespace/name)`);
    });
    await assert.rejects(handler.process(jobOf('nonsense').job, 'token'), UnrecoverableError);
  });
});
