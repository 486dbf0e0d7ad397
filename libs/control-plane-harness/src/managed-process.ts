import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { forgetReaped, reapWithThisProcess } from './process-reaper';

const running = new Set<ManagedProcess>();
/** The open scopes (ProcessScope): each collects every process started while it is open. */
const scopes = new Set<Set<ManagedProcess>>();

function killAll(): void {
  for (const child of running) child.killGroup('SIGKILL');
}

// Last line of defence: however this process ends, no server it started outlives it. A signal
// ends Node without 'exit' handlers, so the signals are caught, the children killed, and the
// signal raised again so the process still dies of it.
process.once('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killAll();
    process.kill(process.pid, signal);
  });
}

export interface ProcessOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Where its stdout and stderr are appended; without one, both are kept in memory (`stdout`, `stderr`). */
  readonly logFile?: string;
}

export interface ProcessEnd {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * A child process in its own process group: servers, our apps, the CLI, any command a test runs.
 * Stopping it signals the whole group, so nothing it forked is left behind, and every one is
 * killed when this process exits or is signalled. How tests and test support start processes
 * (the one exception: the synchronous, cached build of the control-plane binaries), so that none
 * can outlive its test (see ProcessScope).
 */
export class ManagedProcess {
  private readonly child: ChildProcess;
  /** Resolves once it has exited (or could not be started). */
  readonly exited: Promise<ProcessEnd>;
  /** Resolves once it has exited and its output has been read to the end. */
  readonly closed: Promise<ProcessEnd>;
  readonly logFile: string | undefined;
  private out = '';
  private err = '';
  private both = '';

  constructor(
    readonly name: string,
    command: string,
    args: readonly string[],
    options: ProcessOptions = {},
  ) {
    this.logFile = options.logFile;
    this.child = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env, cwd: options.cwd });
    const notStarted = new Promise<ProcessEnd>((resolve) => this.child.once('error', () => resolve({ code: null, signal: null })));
    const ended = (event: 'exit' | 'close') => new Promise<ProcessEnd>((resolve) => this.child.once(event, (code, signal) => resolve({ code, signal })));
    this.exited = Promise.race([ended('exit'), notStarted]);
    this.closed = Promise.race([ended('close'), notStarted]);
    this.keepOutput();
    running.add(this);
    for (const scope of scopes) scope.add(this);
    const group = this.child.pid;
    if (group !== undefined) reapWithThisProcess(group);
    void this.exited.then(() => {
      running.delete(this);
      if (group !== undefined) forgetReaped(group);
    });
  }

  private keepOutput(): void {
    if (this.logFile) {
      const log = createWriteStream(this.logFile, { flags: 'a' });
      this.child.stdout?.pipe(log);
      this.child.stderr?.pipe(log);
      this.child.once('error', (error) => log.write(`spawn failed: ${error.message}\n`));
      return;
    }
    const keepStdout = (text: string) => {
      this.out += text;
      this.both += text;
    };
    const keepStderr = (text: string) => {
      this.err += text;
      this.both += text;
    };
    this.child.stdout?.setEncoding('utf8').on('data', keepStdout);
    this.child.stderr?.setEncoding('utf8').on('data', keepStderr);
    this.child.once('error', (error) => keepStderr(`spawn failed: ${error.message}\n`));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** What it has written to stdout so far (kept only without a log file). */
  get stdout(): string {
    return this.out;
  }

  /** What it has written to stderr so far (kept only without a log file). */
  get stderr(): string {
    return this.err;
  }

  /** stdout and stderr as they came, interleaved (kept only without a log file). */
  get output(): string {
    return this.both;
  }

  get hasExited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  killGroup(signal: NodeJS.Signals): void {
    if (this.child.pid === undefined || this.hasExited) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      // already gone
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. Resolves to how it ended. */
  async stop(graceMs = 5_000): Promise<ProcessEnd> {
    if (this.child.pid !== undefined && !this.hasExited) {
      this.killGroup('SIGTERM');
      const timer = setTimeout(() => this.killGroup('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    return { code: this.child.exitCode, signal: this.child.signalCode };
  }

  /** The end of its log (or of its output, without one), for messages that explain a failure. */
  async tail(lines = 30): Promise<string> {
    const text = this.logFile ? await readFile(this.logFile, 'utf8').catch(() => '') : this.both;
    return text.split('\n').slice(-lines).join('\n');
  }
}

/**
 * Every process started while it is open, to stop together: a test suite opens one before its
 * first test and stops it after its last, pass, fail or time-out (test/src/support/server-suite.ts).
 */
export class ProcessScope {
  private readonly started = new Set<ManagedProcess>();

  private constructor() {
    scopes.add(this.started);
  }

  static open(): ProcessScope {
    return new ProcessScope();
  }

  /** Closes the scope and stops whatever it saw start that is still running. */
  async stopAll(graceMs?: number): Promise<void> {
    scopes.delete(this.started);
    await Promise.all([...this.started].map((proc) => proc.stop(graceMs)));
  }
}

export interface RunOptions extends Omit<ProcessOptions, 'logFile'> {
  /** How long it may run before it is killed (default 60 s). */
  readonly timeoutMs?: number;
}

export interface ProcessResult extends ProcessEnd {
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a command to its end, as execFile would, and resolves with its exit code and output
 * whatever the code. One that outlives `timeoutMs` is killed with its whole group, and the call
 * fails naming the command and what it wrote.
 */
export async function runProcess(command: string, args: readonly string[], options: RunOptions = {}): Promise<ProcessResult> {
  const { timeoutMs = 60_000, ...start } = options;
  const proc = new ManagedProcess(basename(command), command, args, start);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    proc.killGroup('SIGKILL');
  }, timeoutMs);
  const end = await proc.closed.finally(() => clearTimeout(timer));
  if (timedOut) throw new Error(`${command} ${args.join(' ')} did not finish within ${timeoutMs} ms; its output:\n${await proc.tail()}`);
  return { ...end, stdout: proc.stdout, stderr: proc.stderr };
}

/** Polls `probe` until it resolves true; fails with the process's log if it exits or times out. */
export async function waitUntilReady(proc: ManagedProcess, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.hasExited) throw new Error(`${proc.name} exited while starting; ${await describeOutput(proc)}`);
    if (await probe().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${proc.name} not ready after ${timeoutMs} ms; ${await describeOutput(proc)}`);
}

async function describeOutput(proc: ManagedProcess): Promise<string> {
  return `${proc.logFile ? `its log (${proc.logFile})` : 'its output'}:\n${await proc.tail()}`;
}
