import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SerialRuns } from './serial-runs';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('SerialRuns', () => {
  it('never runs twice at once; requests during a run make exactly one more run, with the last reason', async () => {
    const reasons: string[] = [];
    let running = 0;
    let most = 0;
    const first = gate();
    const runs = new SerialRuns(async (reason) => {
      running += 1;
      most = Math.max(most, running);
      reasons.push(reason);
      if (reason === 'first') await first.opened;
      await new Promise((resolve) => setImmediate(resolve));
      running -= 1;
    });
    const done = [runs.request('first'), ...Array.from({ length: 50 }, (_, i) => runs.request(`announcement ${i}`))];
    first.open();
    await Promise.all(done);
    assert.equal(most, 1);
    assert.deepEqual(reasons, ['first', 'announcement 49']);
  });

  it('a failed run does not stop the next one', async () => {
    let calls = 0;
    const blocker = gate();
    const runs = new SerialRuns(async () => {
      calls += 1;
      if (calls === 1) {
        await blocker.opened;
        throw new Error('boom');
      }
    });
    const failed = runs.request('a');
    const next = runs.request('b');
    blocker.open();
    await assert.rejects(failed, /boom/);
    await next;
    assert.equal(calls, 2);
    await runs.idle();
  });
});
