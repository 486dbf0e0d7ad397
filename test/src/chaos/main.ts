// `npm run chaos [-- --docs]`: runs the chaos rows (test/src/chaos/*.test.ts) against real servers,
// prints their table, and with --docs (or CHAOS_DOCS=1) writes it to docs/reliability.md.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { machineFacts, measuredCode, repoRoot } from '@service-replicator/control-plane-harness';
import type { RowResult } from './chaos-row';
import { renderReliabilityDoc, renderTable } from './reliability-doc';

async function main(): Promise<number> {
  const writeDocs = process.argv.includes('--docs') || process.env.CHAOS_DOCS === '1';
  const machine = machineFacts();
  const code = measuredCode();
  const startedAt = new Date();
  const dir = await mkdtemp(join(tmpdir(), 'sr-chaos-results-'));
  try {
    const chaosDir = join(repoRoot, 'test', 'dist', 'chaos');
    const files = (await readdir(chaosDir)).filter((file) => file.endsWith('.test.js')).sort().map((file) => join(chaosDir, file));
    // Each file's serverSuite bounds its time and stops whatever it started.
    const run = spawnSync(process.execPath, ['--enable-source-maps', '--test', '--test-concurrency=1', '--test-force-exit', ...files], {
      stdio: 'inherit',
      env: { ...process.env, CHAOS_RESULTS_DIR: dir },
    });
    const rows = await readRows(dir);
    process.stdout.write(`\n${renderTable(rows)}\n`);
    if (writeDocs) {
      const file = join(repoRoot, 'docs', 'reliability.md');
      const minutes = Math.round((Date.now() - startedAt.getTime()) / 6_000) / 10;
      await writeFile(file, renderReliabilityDoc({ rows, machine, code, date: startedAt.toISOString(), minutes, passed: run.status === 0 }));
      process.stdout.write(`wrote ${file}\n`);
    }
    return run.status ?? 1;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function readRows(dir: string): Promise<RowResult[]> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.json'));
  const rows = await Promise.all(files.map(async (file) => JSON.parse(await readFile(join(dir, file), 'utf8')) as RowResult & { recordedAt: string }));
  return rows.sort((a, b) => a.recordedAt.localeCompare(b.recordedAt));
}

main().then((code) => process.exit(code), (error: unknown) => {
  process.stderr.write(`chaos: ${String(error)}\n`);
  process.exit(1);
});
