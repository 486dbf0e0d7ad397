import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { appendFile, mkdir, rename, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import type { Logger } from '@service-replicator/runtime';
import { ConfigChanges, concerns } from './config-changes';

const folder = mkdtempSync(join(tmpdir(), 'sr-config-changes-'));
after(() => rmSync(folder, { recursive: true, force: true }));

describe('ConfigChanges', () => {
  it('counts a change to a watched file, the folder as a whole, or a mounted ConfigMap swap, not to other files', () => {
    const names = new Set(['a.vcluster.yaml', 'tenants.yaml']);
    assert.equal(concerns('a.vcluster.yaml', names), true);
    assert.equal(concerns(Buffer.from('tenants.yaml'), names), true);
    assert.equal(concerns(null, names), true);
    assert.equal(concerns('..data', names), true);
    assert.equal(concerns('..2026_12_01_23_10_00.123', names), true);
    assert.equal(concerns('writer.log', names), false);
    assert.equal(concerns('.a.vcluster.yaml.swp', names), false);
  });

  it('notifies on writes and editor-style replacements of a watched file; a log written beside it says nothing', async () => {
    const dir = join(folder, 'watched');
    await mkdir(dir);
    const config = join(dir, 'a.vcluster.yaml');
    await writeFile(config, 'networking: {}\n');
    const changes = new ConfigChanges({ warn: () => undefined } as unknown as Logger);
    const seen: string[] = [];
    changes.onChange((reason) => seen.push(reason));
    changes.watchFile(config);
    try {
      for (let i = 0; i < 20; i++) await appendFile(join(dir, 'writer.log'), `line ${i}\n`);
      await sleep(200);
      assert.deepEqual(seen, [], 'a log beside the config is not a config change');
      await writeFile(join(dir, '.a.vcluster.yaml.swp'), 'networking: { replicateServices: {} }\n');
      await rename(join(dir, '.a.vcluster.yaml.swp'), config);
      await waitFor(() => seen.length > 0);
      seen.length = 0;
      await symlink('..2026', join(dir, '..data_tmp'));
      await rename(join(dir, '..data_tmp'), join(dir, '..data'));
      await waitFor(() => seen.length > 0);
    } finally {
      changes.onApplicationShutdown();
    }
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > 5_000) assert.fail('no change was notified');
    await sleep(20);
  }
}
