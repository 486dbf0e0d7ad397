import { open, rm, truncate, writeFile } from 'node:fs/promises';
import { after, before, it } from 'node:test';
import { serverSuite } from '../support/server-suite';
import { ChaosEnvironment, sleep } from './chaos-environment';
import { runRow } from './chaos-row';

/** Longer than the settle time (what a truncated or half-written file is seen as), shorter than the grace. */
const HOLD_MS = 5_000;
const SETTINGS = { CONFIG_SETTLE_MS: '1000', REMOVAL_GRACE_SECONDS: '30' };

/**
 * Chaos rows for how a config is written: tenant a's vcluster.yaml truncated to 0 bytes,
 * written in two parts 2 s apart, and deleted, each for longer than config-watcher's settle time
 * and then made whole again. No mirror may be deleted (the grace period holds removals back), and
 * all must be in sync again once the file is whole.
 */
serverSuite('chaos: a config truncated, half-written, deleted', () => {
  let env: ChaosEnvironment;
  let file: string;

  before(async () => {
    env = await ChaosEnvironment.start({ prefix: 'chaos-config', fromHost: 100, toHost: 10, env: SETTINGS });
    await env.configure();
    file = env.fx.tenant('a').configFile;
  });
  after(async () => env?.stop());

  it('config truncated to 0 bytes, then written whole again', async () => {
    await runRow(env, {
      row: 'config truncated',
      fault: `tenant a's vcluster.yaml truncated to 0 bytes for ${HOLD_MS / 1000} s, then written whole`,
      run: async () => {
        await truncate(file, 0);
        await sleep(HOLD_MS);
        const notes = await checkNote(env);
        await writeFile(file, env.configTextA());
        return { endedAt: Date.now(), notes };
      },
    });
  });

  it('config written in two parts 2 s apart (40 % first)', async () => {
    await runRow(env, {
      row: 'config half-written',
      fault: "tenant a's vcluster.yaml rewritten in two parts, 40 % of its entries first, the rest 2 s later",
      run: async () => {
        const text = env.configTextA();
        const cut = text.lastIndexOf('\n', Math.floor(text.length * 0.4)) + 1;
        const handle = await open(file, 'w');
        let pendingDuringPause = 0;
        try {
          await handle.write(text.slice(0, cut));
          await handle.sync();
          const pause = Date.now();
          while (Date.now() - pause < 2_000) {
            pendingDuringPause = Math.max(pendingDuringPause, Object.keys((await env.fx.published('a'))?.pendingRemovals ?? {}).length);
            await sleep(100);
          }
          await handle.write(text.slice(cut));
        } finally {
          await handle.close();
        }
        const taken = pendingDuringPause > 0
          ? `the first part was taken: ${pendingDuringPause} removals waited out the grace and were cancelled by the rest`
          : 'the first part was never taken';
        return { endedAt: Date.now(), notes: [taken] };
      },
    });
  });

  it('config deleted, then written again', async () => {
    await runRow(env, {
      row: 'config deleted',
      fault: `tenant a's vcluster.yaml deleted for ${HOLD_MS / 1000} s, then written again`,
      run: async () => {
        await rm(file);
        await sleep(HOLD_MS);
        const notes = await checkNote(env);
        await writeFile(file, env.configTextA());
        return { endedAt: Date.now(), notes };
      },
    });
  });
}, 15 * 60_000);

/** What config-watcher recorded about the config while it was broken (it is refused, the last good one kept). */
async function checkNote(env: ChaosEnvironment): Promise<string[]> {
  const check = await env.fx.configCheck('a');
  const message = check?.issues[0]?.message.replace(env.fx.dir, '<dir>');
  return check?.valid === false ? [`the broken file was refused: ${message ?? '(no message)'}`] : [];
}
