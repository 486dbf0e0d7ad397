import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from '@service-replicator/control-plane-harness';
import { type WriteCounts } from '../support/api-writes';
import { ConvergenceTimeout, RESYNC_INTERVAL_SECONDS, TENANTS, type ChaosEnvironment } from './chaos-environment';

/** Where each row's figures go (`npm run chaos` reads them back to write docs/reliability.md). */
export const RESULTS_DIR = process.env.CHAOS_RESULTS_DIR ?? join(repoRoot, 'test', 'dist', 'chaos-results');

/** One row of the reliability table: a fault, and what a user would check after it. */
export interface RowResult {
  readonly row: string;
  /** What was done, in a few words (the fault and its length). */
  readonly fault: string;
  /** Mirrors expected at the time (the size of the deployment disturbed). */
  readonly mirrors: number;
  /** From the end of the fault until every mirror and status was right again; null: not within the limit. */
  readonly reconvergeMs: number | null;
  /** Expected mirrors deleted at any moment during the row (a watch on every cluster), or missing at its end. */
  readonly lost: readonly string[];
  /** Objects not ours that were modified or deleted, or carry our field manager. */
  readonly touched: readonly string[];
  /** Writes the API servers answered during the row, less the suite's own. */
  readonly writes: WriteCounts;
  /** Anything else measured (readiness during the outage, races won, ...). */
  readonly notes: readonly string[];
}

export interface RowSpec {
  readonly row: string;
  readonly fault: string;
  /** Makes the fault and ends it; resolves to when it ended (ms since epoch) and notes. */
  readonly run: (env: ChaosEnvironment) => Promise<{ readonly endedAt: number; readonly notes?: readonly string[] }>;
  /** Also note how long after the fault began everything was converged (a fault that is a first convergence). */
  readonly noteSinceStart?: boolean;
  /** More checks once reconverged (or not); resolves to more notes. */
  readonly afterConverged?: (env: ChaosEnvironment, endedAt: number) => Promise<readonly string[]>;
  /** How long to wait for reconvergence after the fault ended (default: two resync intervals). */
  readonly convergeLimitMs?: number;
}

/**
 * Runs one row: waits until everything is converged (the row's starting point), counts from zero,
 * makes the fault, waits for reconvergence, then records and asserts the targets: 0 lost, 0 not
 * ours touched, reconverged within one resync interval.
 */
export async function runRow(env: ChaosEnvironment, spec: RowSpec): Promise<RowResult> {
  await env.waitConverged(180_000);
  env.expectMirrors();
  for (const observer of env.observers.values()) observer.take();
  await env.writes.reset();
  const startedAt = Date.now();
  const { endedAt, notes: runNotes = [] } = await spec.run(env);
  const notes = [...runNotes];
  let reconvergeMs: number | null = null;
  let missing: string | undefined;
  try {
    await env.waitConverged(spec.convergeLimitMs ?? 2 * RESYNC_INTERVAL_SECONDS * 1000);
    reconvergeMs = Date.now() - endedAt;
    if (spec.noteSinceStart) notes.push(`all converged ${seconds(Date.now() - startedAt)} after the fault began`);
  } catch (error) {
    if (!(error instanceof ConvergenceTimeout)) throw error;
    missing = error.message;
  }
  if (spec.afterConverged) notes.push(...(await spec.afterConverged(env, endedAt)));
  const result = await collect(env, spec, reconvergeMs, notes, missing);
  await record(result);
  assertTargets(result, missing);
  return result;
}

async function collect(env: ChaosEnvironment, spec: RowSpec, reconvergeMs: number | null, notes: readonly string[], missing: string | undefined): Promise<RowResult> {
  const lost: string[] = [];
  const touched: string[] = [];
  for (const [cluster, observer] of env.observers) {
    const seen = observer.take();
    lost.push(...seen.lost.map((id) => `${cluster}: ${id}`));
    touched.push(...seen.touched.map((id) => `${cluster}: ${id}`));
    touched.push(...observer.notOursWrittenByUs(TENANTS).map((id) => `${cluster}: ${id} (our field manager in managedFields)`));
  }
  if (missing) lost.push(`at the end: ${missing}`);
  return { row: spec.row, fault: spec.fault, mirrors: env.expectedMirrors.length, reconvergeMs, lost, touched, writes: await env.writes.total(), notes };
}

function assertTargets(result: RowResult, missing: string | undefined): void {
  assert.deepEqual(result.lost, [], `${result.row}: mirrors lost`);
  assert.deepEqual(result.touched, [], `${result.row}: objects not ours touched`);
  assert.ok(result.reconvergeMs !== null, `${result.row}: ${missing}`);
  assert.ok(
    result.reconvergeMs <= RESYNC_INTERVAL_SECONDS * 1000,
    `${result.row}: reconverged after ${result.reconvergeMs} ms, more than one resync interval (${RESYNC_INTERVAL_SECONDS} s)`,
  );
}

async function record(result: RowResult): Promise<void> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = `${result.row.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.json`;
  await writeFile(join(RESULTS_DIR, file), `${JSON.stringify({ ...result, recordedAt: new Date().toISOString() }, null, 2)}\n`);
}

/** `12.3 s`: how the table and its notes give durations. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
