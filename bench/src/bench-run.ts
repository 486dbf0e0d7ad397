import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';
import { relative } from 'node:path';
import { repoRoot } from '@service-replicator/control-plane-harness';
import type { BenchResult } from './benchmarks-doc';

/** Other work on the machine skews every figure; the load before we start anything shows it. */
const LOAD_BEFORE_START = loadavg()[0];

/** When, where and on which code a figure was measured. */
export function runInfo(): Pick<BenchResult, 'date' | 'command' | 'code' | 'machine'> {
  return { date: new Date().toISOString(), command: commandLine(), code: measuredCode(), machine: machine() };
}

function machine(): BenchResult['machine'] {
  return {
    nproc: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    os: `Linux ${release()}`,
    loadAverage1mBeforeStart: Math.round(LOAD_BEFORE_START * 100) / 100,
  };
}

/** Ties the figures to code: other engineers change apps/ and libs/ while benchmarks run. */
function measuredCode(): BenchResult['code'] {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();
  try {
    return { commit: git('rev-parse', '--short', 'HEAD'), uncommittedAppOrLibChanges: git('status', '--porcelain', '--', 'apps', 'libs') !== '' };
  } catch {
    return { commit: 'unknown', uncommittedAppOrLibChanges: null };
  }
}

function commandLine(): string {
  return ['node', relative(repoRoot, process.argv[1]), ...process.argv.slice(2)].join(' ');
}

/**
 * Rejects after the time limit or on SIGINT/SIGTERM, so the finally below still stops everything.
 * A second signal exits at once; the harness's exit hook still kills every server it started.
 */
export function abortSignals(timeoutMs: number): Promise<never> {
  return new Promise((_, reject) => {
    const timer = setTimeout(() => reject(new Error(`benchmark exceeded its ${timeoutMs / 1000} s limit`)), timeoutMs);
    timer.unref();
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (signalled) process.exit(130);
      signalled = true;
      reject(new Error(`stopped by ${signal}`));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

