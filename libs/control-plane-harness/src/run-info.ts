import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';
import { repoRoot } from './binaries';

/** Other work on the machine skews every figure; the load before we start anything shows it. */
const LOAD_BEFORE_START = loadavg()[0];

/** The machine a figure was measured on. */
export interface MachineFacts {
  readonly nproc: number;
  readonly memoryGiB: number;
  readonly cpu: string;
  readonly node: string;
  readonly os: string;
  readonly loadAverage1mBeforeStart: number;
}

/** The code a figure was measured on: other engineers change apps/ and libs/ while runs go on. */
export interface MeasuredCode {
  readonly commit: string;
  readonly uncommittedAppOrLibChanges: boolean | null;
}

export function machineFacts(): MachineFacts {
  return {
    nproc: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    os: `Linux ${release()}`,
    loadAverage1mBeforeStart: Math.round(LOAD_BEFORE_START * 100) / 100,
  };
}

export function measuredCode(): MeasuredCode {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();
  try {
    return { commit: git('rev-parse', '--short', 'HEAD'), uncommittedAppOrLibChanges: git('status', '--porcelain', '--', 'apps', 'libs') !== '' };
  } catch {
    return { commit: 'unknown', uncommittedAppOrLibChanges: null };
  }
}
