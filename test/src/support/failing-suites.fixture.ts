// Not a test of its own: test-lifetime.test.ts runs this file with `node --test` and checks that
// it ends within seconds, failed, and that neither watcher it started is still running.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ManagedProcess } from '@service-replicator/control-plane-harness';
import { serverSuite } from './server-suite';
import { eventually } from './wait';

// Like `cli status --watch`: prints until stopped, and even shrugs off SIGTERM.
const WATCHER = "process.on('SIGTERM', () => undefined); setInterval(() => console.log(new Date().toISOString()), 200);";

async function startWatcher(): Promise<ManagedProcess> {
  const watcher = new ManagedProcess('watcher', process.execPath, ['-e', WATCHER]);
  await eventually(() => (watcher.stdout.includes('\n') ? true : undefined), 10_000);
  console.log(`watcher pid ${watcher.pid}`);
  return watcher;
}

serverSuite('a test that fails while its watcher runs', () => {
  it('starts a watcher, then fails', async () => {
    await startWatcher();
    assert.fail('failed on purpose, its watcher still running');
  });
});

serverSuite(
  'a test that hangs while its watcher runs',
  () => {
    it('starts a watcher, then waits forever', async () => {
      await startWatcher();
      await new Promise(() => undefined);
    });
  },
  3_000,
);
