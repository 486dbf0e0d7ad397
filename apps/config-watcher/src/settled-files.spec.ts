import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { open, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { SettledFiles, type SettledRead } from './settled-files';

const folder = mkdtempSync(join(tmpdir(), 'sr-settled-files-'));
after(() => rmSync(folder, { recursive: true, force: true }));

const SETTLE_MS = 300;
let created = 0;
const newPath = () => join(folder, `config-${(created += 1)}.yaml`);
const text = (read: SettledRead) => ('bytes' in read ? read.bytes.toString() : JSON.stringify(read));

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await work();
  return { value, ms: performance.now() - start };
}

describe('SettledFiles', () => {
  it('takes a file that has not changed for the settle time without waiting for it again', async () => {
    const path = newPath();
    await writeFile(path, 'quiet: true\n');
    // The kernel's ctime cannot be set back: wait it out instead.
    await sleep(SETTLE_MS + 50);
    const { value, ms } = await timed(() => new SettledFiles(SETTLE_MS).read(path));
    assert.equal(text(value), 'quiet: true\n');
    assert.ok(ms < SETTLE_MS / 2, `took ${ms.toFixed(0)} ms`);
  });

  it('waits out the settle time from the last change, and takes a file written in two parts whole', async () => {
    const path = newPath();
    const handle = await open(path, 'w');
    await handle.write('first: part\n');
    const reading = timed(() => new SettledFiles(SETTLE_MS).read(path));
    await sleep(100);
    await handle.write('second: part\n');
    await handle.close();
    const { value, ms } = await reading;
    assert.equal(text(value), 'first: part\nsecond: part\n');
    // The settle time counts from the second part (100 ms in), not from the first look.
    assert.ok(ms >= SETTLE_MS + 50, `took ${ms.toFixed(0)} ms`);
  });

  it('sees a rewrite of the same size right after a file was taken (timestamps too close to trust)', async () => {
    const path = newPath();
    const files = new SettledFiles(SETTLE_MS);
    await writeFile(path, 'value: 1\n');
    assert.equal(text(await files.read(path)), 'value: 1\n');
    await writeFile(path, 'value: 2\n');
    assert.equal(text(await files.read(path)), 'value: 2\n');
  });

  it('sees a rewrite that keeps size and mtime once a quiet file was taken (its ctime moves)', async () => {
    const path = newPath();
    const files = new SettledFiles(SETTLE_MS);
    await writeFile(path, 'value: a\n');
    const mtime = new Date(Date.now() - 60_000);
    await utimes(path, mtime, mtime);
    await sleep(1_100);
    assert.equal(text(await files.read(path)), 'value: a\n');
    // Same size, mtime put back as it was: only the ctime tells.
    await writeFile(path, 'value: b\n');
    await utimes(path, mtime, mtime);
    assert.equal(text(await files.read(path)), 'value: b\n');
  });

  it('returns a taken file unchanged at once, and says why a missing file cannot be read', async () => {
    const path = newPath();
    const files = new SettledFiles(SETTLE_MS);
    await writeFile(path, 'same: true\n');
    await files.read(path);
    const { value, ms } = await timed(() => files.read(path));
    assert.equal(text(value), 'same: true\n');
    assert.ok(ms < SETTLE_MS / 2, `took ${ms.toFixed(0)} ms`);
    const missing = await files.read(join(folder, 'absent.yaml'));
    assert.match('error' in missing ? missing.error : '', /cannot read .*absent\.yaml: ENOENT/);
  });
});
