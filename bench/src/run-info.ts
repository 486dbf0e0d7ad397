import { relative } from 'node:path';
import { machineFacts, measuredCode, repoRoot } from '@service-replicator/control-plane-harness';
import type { BenchResult } from './benchmarks-doc';

/** When, where and on which code a figure was measured. */
export function runInfo(): Pick<BenchResult, 'date' | 'command' | 'code' | 'machine'> {
  return { date: new Date().toISOString(), command: commandLine(), code: measuredCode(), machine: machineFacts() };
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

