import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { appendFile, cp, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { after, before, it } from 'node:test';
import { repoRoot, runProcess, type ProcessResult } from '@service-replicator/control-plane-harness';
import { serverSuite } from './support/server-suite';

const NX = join(repoRoot, 'node_modules/.bin/nx');
/** status-view and what imports it (config-watcher, the CLI, the sandbox) or runs it (the server tests). */
const STATUS_VIEW_AND_DEPENDANTS = ['cli', 'config-watcher', 'sandbox', 'server-tests', 'status-view'];

/**
 * A scratch git repository holding this checkout's files as they are now (committed or not),
 * sharing its node_modules: commits made in it are what `nx affected` compares.
 */
class ScratchRepo {
  private constructor(readonly dir: string) {}

  static async copyOf(root: string): Promise<ScratchRepo> {
    const dir = await mkdtemp(join(tmpdir(), 'sr-nx-affected-'));
    const listed = await succeeded(runProcess('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root }));
    const files = listed.stdout.split('\0').filter((file) => file && existsSync(join(root, file)));
    await Promise.all(files.map((file) => cp(join(root, file), join(dir, file))));
    await symlink(join(root, 'node_modules'), join(dir, 'node_modules'));
    const repo = new ScratchRepo(dir);
    await repo.git('init', '--quiet');
    await writeFile(join(dir, '.git', 'info', 'exclude'), 'node_modules\n');
    await repo.commit('baseline');
    return repo;
  }

  git(...args: string[]): Promise<ProcessResult> {
    return succeeded(runProcess('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', ...args], { cwd: this.dir }));
  }

  async commit(message: string): Promise<void> {
    await this.git('add', '-A');
    await this.git('commit', '--quiet', '--no-verify', '-m', message);
  }

  async nx(...args: string[]): Promise<string> {
    const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };
    return (await succeeded(runProcess(NX, [...args], { cwd: this.dir, env, timeoutMs: 180_000 }))).stdout;
  }

  /** What `nx affected` finds changed by the last commit: the projects, and the lint and test tasks. */
  async affectedByLastCommit(): Promise<{ projects: string[]; checks: string[]; builds: string[] }> {
    const range = ['--base=HEAD~1', '--head=HEAD'];
    const projects = JSON.parse(await this.nx('show', 'projects', '--affected', ...range, '--json')) as string[];
    const graph = JSON.parse(await this.nx('affected', '-t', 'lint', 'test', 'build', ...range, '--graph=stdout')) as { tasks: { tasks: Record<string, unknown> } };
    const tasks = Object.keys(graph.tasks.tasks);
    return { projects: projects.sort(), checks: tasks.filter((task) => !task.endsWith(':build')).sort(), builds: tasks.filter((task) => task.endsWith(':build')) };
  }

  remove(): Promise<void> {
    return rm(this.dir, { recursive: true, force: true });
  }
}

async function succeeded(run: Promise<ProcessResult>): Promise<ProcessResult> {
  const result = await run;
  assert.equal(result.code, 0, result.stderr);
  return result;
}

/** The project folders of the npm workspaces (package.json), each with its project.json. */
async function projectDirs(root: string): Promise<string[]> {
  const { workspaces } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { workspaces: string[] };
  const expanded = await Promise.all(
    workspaces.map(async (pattern) => (pattern.endsWith('/*') ? (await readdir(join(root, pattern.slice(0, -2)))).map((dir) => posix.join(pattern.slice(0, -2), dir)) : [pattern])),
  );
  return expanded.flat().filter((dir) => existsSync(join(root, dir, 'project.json')));
}

/**
 * The Nx projects `tsc -b` rebuilds when the project in `changedDir` changes: it and every project
 * whose tsconfig.json references reach it. Nx finds dependencies in imports and package.json
 * instead; the two must agree, or a build or lint would run on stale declarations.
 */
async function tscDependants(root: string, changedDir: string): Promise<string[]> {
  const readJson = async (dir: string, file: string) => JSON.parse(await readFile(join(root, dir, file), 'utf8')) as { name?: string; references?: { path: string }[] };
  const projects = await Promise.all(
    (await projectDirs(root)).map(async (dir) => ({
      dir,
      name: (await readJson(dir, 'project.json')).name ?? dir,
      references: ((await readJson(dir, 'tsconfig.json')).references ?? []).map((reference) => posix.normalize(posix.join(dir, reference.path))),
    })),
  );
  const reached = new Set([changedDir]);
  let grew = true;
  while (grew) {
    const next = projects.filter((project) => !reached.has(project.dir) && project.references.some((dir) => reached.has(dir)));
    for (const project of next) reached.add(project.dir);
    grew = next.length > 0;
  }
  return projects.filter((project) => reached.has(project.dir)).map((project) => project.name).sort();
}

function lintAndTest(projects: readonly string[]): string[] {
  return projects.flatMap((project) => [`${project}:lint`, `${project}:test`]).sort();
}

serverSuite('Nx: affected projects and task inputs', () => {
  let repo: ScratchRepo;
  before(async () => {
    repo = await ScratchRepo.copyOf(repoRoot);
  });
  after(() => repo?.remove());

  it('every project has build, lint and test targets', async () => {
    const all = JSON.parse(await repo.nx('show', 'projects', '--json')) as string[];
    for (const target of ['build', 'lint', 'test']) {
      assert.deepEqual(JSON.parse(await repo.nx('show', 'projects', '--with-target', target, '--json')), all, target);
    }
  });

  it('a change to one lib\'s source affects it and its dependants only, for lint, test and build', async () => {
    await appendFile(join(repo.dir, 'libs/status-view/src/status-table.ts'), '// a scratch change\n');
    await repo.commit('change status-view');
    const affected = await repo.affectedByLastCommit();
    assert.deepEqual(affected.projects, STATUS_VIEW_AND_DEPENDANTS);
    assert.deepEqual(affected.checks, lintAndTest(STATUS_VIEW_AND_DEPENDANTS));
    for (const project of STATUS_VIEW_AND_DEPENDANTS) assert.ok(affected.builds.includes(`${project}:build`), `${project}:build in ${affected.builds.join(", ")}`);
  });

  it('a change to one lib\'s tags affects its dependants too, whose lint reads them', async () => {
    const projectFile = join(repo.dir, 'libs/status-view/project.json');
    await writeFile(projectFile, (await readFile(projectFile, 'utf8')).replace('"type:data-access"', '"type:util"'));
    await repo.commit('retag status-view');
    assert.deepEqual((await repo.affectedByLastCommit()).projects, STATUS_VIEW_AND_DEPENDANTS);
    const inputs = JSON.parse(await repo.nx('show', 'target', 'inputs', 'config-watcher:lint', '--json')) as { files?: string[] } | string[];
    const files = Array.isArray(inputs) ? inputs : (inputs.files ?? []);
    assert.ok(files.includes('libs/status-view/project.json'), `config-watcher:lint inputs: ${files.join(', ')}`);
  });

  it('a change to a domain lib affects every project whose tsconfig references reach it (kube and replication-queue among them), as tsc -b sees it', async () => {
    const expected = await tscDependants(repo.dir, 'libs/service-translation');
    for (const dependant of ['kube', 'replication-queue', 'reconciler', 'writer']) assert.ok(expected.includes(dependant), `${dependant} in ${expected.join(', ')}`);
    await appendFile(join(repo.dir, 'libs/service-translation/src/index.ts'), '// a scratch change\n');
    await repo.commit('change service-translation');
    const affected = await repo.affectedByLastCommit();
    assert.deepEqual(affected.projects, expected);
    assert.deepEqual(affected.checks, lintAndTest(expected));
  });

  it('a change to a test file affects the server tests only', async () => {
    await appendFile(join(repo.dir, 'test/src/support/wait.ts'), '// a scratch change\n');
    await repo.commit('change a test helper');
    assert.deepEqual((await repo.affectedByLastCommit()).projects, ['server-tests']);
  });
});
