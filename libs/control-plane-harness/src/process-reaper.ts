import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

let reaper: ChildProcess | undefined;

/**
 * The last defence, for when this process is killed outright (SIGKILL: a test runner's timeout, an
 * OOM kill), which runs no exit handler: a small process of its own, detached, holding a pipe from
 * this one. Every process group the harness starts is listed with it, and taken off when it ends;
 * when the pipe closes it kills the groups still listed. So no server or app a test started outlives
 * the test process, however that ends.
 */
export function reapWithThisProcess(group: number): void {
  tell(`${group}`);
}

/** The group ended on its own: its id may be reused by an unrelated process, so it must not be killed later. */
export function forgetReaped(group: number): void {
  tell(`-${group}`);
}

function tell(line: string): void {
  const stdin = started().stdin;
  if (stdin && !stdin.destroyed) stdin.write(`${line}\n`);
}

function started(): ChildProcess {
  if (reaper) return reaper;
  reaper = spawn(process.execPath, [join(__dirname, 'reaper-script.js')], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
  reaper.on('error', () => undefined);
  reaper.stdin?.on('error', () => undefined);
  // Neither the reaper nor its pipe keeps this process alive.
  reaper.unref();
  (reaper.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return reaper;
}
