import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { repoRoot, runProcess } from '@service-replicator/control-plane-harness';
import { serverSuite } from './support/server-suite';

const CLI = join(repoRoot, 'tools/cli/dist/main.js');
const PRELOAD = join(__dirname, 'support', 'loaded-modules.js');
/** What the apps' web side loads: a command has no use for any of it. */
const PLATFORM = /\/node_modules\/(@nestjs|express|@bull-board)\//;

serverSuite('CLI start-up: a command loads only what it uses', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sr-cli-modules-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  /** Runs the CLI and resolves with its exit code and every file it loaded. */
  async function loadedBy(...args: string[]): Promise<{ code: number | null; stdout: string; modules: string[] }> {
    const file = join(dir, `${args.join('_').replace(/\W/g, '')}.json`);
    const run = await runProcess(process.execPath, ['--require', PRELOAD, CLI, ...args], { env: { ...process.env, LOADED_MODULES_FILE: file } });
    return { code: run.code, stdout: run.stdout, modules: JSON.parse(await readFile(file, 'utf8')) as string[] };
  }

  it('--help lists the commands having loaded fewer than 150 modules', async () => {
    const { code, stdout, modules } = await loadedBy('--help');
    assert.equal(code, 0);
    assert.match(stdout, /^commands:\n {2}validate .+\n {2}plan .+\n {2}status .+$/m);
    assert.ok(modules.length < 150, `--help loaded ${modules.length} modules:\n${modules.join('\n')}`);
  });

  it('status loads Redis and its report, but no Nest, Express or Bull Board', async () => {
    // --interval without --watch is a usage error: the command is loaded, then exits at once.
    const { code, modules } = await loadedBy('status', '--interval=1');
    assert.equal(code, 2);
    assert.ok(modules.some((file) => file.includes('/node_modules/ioredis/')), 'status itself was loaded');
    assert.deepEqual(modules.filter((file) => PLATFORM.test(file)), []);
  });
});
