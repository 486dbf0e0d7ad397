import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, it } from 'node:test';
import { ManagedProcess, type ProcessEnd } from '@service-replicator/control-plane-harness';
import { serverSuite } from './support/server-suite';
import { eventually } from './support/wait';

// Run as a process, the way `npm start` runs it: nothing of the sandbox is imported here.
const SANDBOX = join(resolve(__dirname, '../..'), 'tools', 'sandbox', 'dist', 'main.js');
const FROM_HOST = ['team-a', 'fromHost', 'host:my-host-namespace/my-host-service', 'tenant:my-virtual-namespace/my-virtual-service'];
const TO_HOST = ['team-a', 'toHost', 'tenant:my-virtual-namespace/my-virtual-service', 'host:vcluster-team-a/my-host-service'];

/** The sandbox as `npm start` runs it (after the build), its output collected as it comes. */
class SandboxRun {
  private readonly proc: ManagedProcess;

  constructor(args: readonly string[], env: Readonly<Record<string, string>> = {}) {
    // Without the variables that would point it at real clusters, whatever the caller's shell has.
    const { HOST_KUBECONFIG: _h, TENANTS_FILE: _t, REDIS_URL: _r, QUEUE_PREFIX: _p, ...inherited } = process.env;
    this.proc = new ManagedProcess('sandbox', process.execPath, [SANDBOX, ...args], { env: { ...inherited, ...env } });
  }

  get output(): string {
    return this.proc.output;
  }

  /** Resolves once it has exited and all it wrote has been read. */
  get exited(): Promise<ProcessEnd> {
    return this.proc.closed;
  }

  signal(signal: NodeJS.Signals): void {
    this.proc.killGroup(signal);
  }

  /** SIGTERM if a test gave up on it, and time to stop its servers before SIGKILL. */
  async stop(): Promise<void> {
    await this.proc.stop(30_000);
  }

  /** The rows of the last table printed (--no-tty prints one per change), as cells. */
  lastTable(after = 0): string[][] | undefined {
    const blocks = this.output.slice(after).split(/^--- \d\d:\d\d:\d\d$/m).slice(1);
    const last = blocks.at(-1);
    return last?.split('\n').filter((line) => /^\S+ {2,}(fromHost|toHost) /.test(line)).map((line) => line.split(/ {2,}/));
  }

  /** Every temporary folder the sandbox named: kubeconfigs, config copies and logs live there. */
  folders(): string[] {
    const folder = new RegExp(`(${escapeRegExp(tmpdir())}/sr-[A-Za-z0-9-]+)/`, 'g');
    return [...new Set([...this.output.matchAll(folder)].map((match) => match[1]))];
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function rowFor(rows: readonly string[][] | undefined, mapping: readonly string[]): string[] | undefined {
  return rows?.find((row) => mapping.every((cell, index) => row[index] === cell));
}

function inSync(rows: readonly string[][] | undefined): boolean {
  return rowFor(rows, FROM_HOST)?.[4] === 'in-sync' && rowFor(rows, TO_HOST)?.[4] === 'in-sync';
}

serverSuite('npm start: the sandbox (sample deployment, four apps, live table)', () => {
  const runs: SandboxRun[] = [];
  const run = (args: readonly string[], env?: Record<string, string>) => {
    const started = new SandboxRun(args, env);
    runs.push(started);
    return started;
  };
  after(async () => Promise.all(runs.map((started) => started.stop())));

  it('replicates both sample mappings, exits 0 once they are in sync and leaves nothing behind', async () => {
    const sandbox = run(['--exit-when-synced', '--no-tty', '--timeout=90']);
    const { code } = await sandbox.exited;
    assert.equal(code, 0, sandbox.output);
    const rows = sandbox.lastTable();
    assert.ok(inSync(rows), `both sample mappings in-sync in the last table:\n${sandbox.output}`);
    assert.match(sandbox.output, /every mapping is in sync \(2\)/);
    assert.match(sandbox.output, /kubectl --kubeconfig \S+\/sr-host-\S+ get svc -A/);
    assert.match(sandbox.output, /log +writer +\S+\/sr-sandbox-\S+\/writer\.log/);
    const folders = sandbox.folders();
    assert.ok(folders.length >= 3, `host, tenant and sandbox folders named: ${folders.join(', ')}`);
    assert.deepEqual(folders.filter(existsSync), []);
  });

  it('shows a host port change flowing through both mappings, and Ctrl-C stops everything', async () => {
    const sandbox = run(['--no-tty']);
    await eventually(() => (inSync(sandbox.lastTable()) ? true : undefined), 90_000, 200);
    const note = await eventually(() => /^(\d\d:\d\d:\d\d) {2}changed the port of host Service my-host-namespace\/my-host-service: 80 -> 8080$/m.exec(sandbox.output) ?? undefined, 30_000, 200);
    // A table printed after the change, with both mirrors synced at or after it.
    await eventually(() => {
      const rows = sandbox.lastTable(note.index);
      const synced = [rowFor(rows, FROM_HOST), rowFor(rows, TO_HOST)].every((row) => row?.[4] === 'in-sync' && row[5] >= note[1]);
      return synced ? true : undefined;
    }, 20_000, 200);
    sandbox.signal('SIGINT');
    const { code } = await sandbox.exited;
    assert.equal(code, 0, sandbox.output);
    assert.match(sandbox.output, /stopped \(SIGINT\).*\nstopped\.\n$/);
    assert.deepEqual(sandbox.folders().filter(existsSync), []);
  });

  it('refuses half of a real deployment rather than mixing it with the sample', async () => {
    const sandbox = run(['--no-tty'], { HOST_KUBECONFIG: '/nowhere/kubeconfig' });
    const { code } = await sandbox.exited;
    assert.equal(code, 2);
    assert.match(sandbox.output, /HOST_KUBECONFIG set but TENANTS_FILE, REDIS_URL not/);
  });
});
