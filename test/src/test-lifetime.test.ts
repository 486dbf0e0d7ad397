import assert from 'node:assert/strict';
import { join } from 'node:path';
import { it } from 'node:test';
import { runProcess } from '@service-replicator/control-plane-harness';
import { serverSuite } from './support/server-suite';
import { isAlive } from './support/wait';

const FIXTURE = join(__dirname, 'support', 'failing-suites.fixture.js');

serverSuite('no test can hang: a failed or timed-out test leaves nothing running', () => {
  it('a test file whose tests fail or hang with a child running still ends, and its children are gone', async () => {
    const started = Date.now();
    // A run of its own (not a part of this one's report), without --test-force-exit: the suite's
    // own teardown is what lets it end.
    const { NODE_TEST_CONTEXT: _ownRun, ...env } = process.env;
    const run = await runProcess(process.execPath, ['--test', FIXTURE], { env, timeoutMs: 120_000 });
    const seconds = (Date.now() - started) / 1_000;
    assert.notEqual(run.code, 0, run.stdout);
    assert.match(run.stdout, /failed on purpose, its watcher still running/);
    assert.match(run.stdout, /test timed out after 3000ms/);
    const pids = [...run.stdout.matchAll(/watcher pid (\d+)/g)].map((match) => Number(match[1]));
    assert.equal(pids.length, 2, run.stdout);
    assert.deepEqual(pids.filter(isAlive), [], 'no watcher outlives its test file');
    // Two watchers that ignore SIGTERM (5 s grace each, stopped in parallel per suite) and a 3 s time-out.
    assert.ok(seconds < 60, `the file ended after ${seconds} s`);
  });
});
