import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { appName } from './app-name';

describe('appName', () => {
  it("is the entry point's package name without its scope", () => {
    const root = mkdtempSync(join(tmpdir(), 'app-name-'));
    try {
      mkdirSync(join(root, 'dist'));
      writeFileSync(join(root, 'package.json'), JSON.stringify({ name: '@service-replicator/writer' }));
      assert.equal(appName(join(root, 'dist', 'main.js')), 'writer');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('falls back to service-replicator without an entry point', () => {
    assert.equal(appName(''), 'service-replicator');
  });
});
