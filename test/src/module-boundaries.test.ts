import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { repoRoot, runProcess } from '@service-replicator/control-plane-harness';
import { serverSuite } from './support/server-suite';

/** Lints one line of code as if it were a file in `project`, returning the boundary rule's messages. */
async function boundaryErrors(project: string, code: string): Promise<string[]> {
  // The repository's config, less the type-aware parsing: the probe file is not on disk, so no
  // tsconfig holds it and the parser would refuse it (a fatal error, and no rule would run).
  const eslint = new ESLint({ cwd: repoRoot, overrideConfig: [tseslint.configs.disableTypeChecked] });
  const [result] = await eslint.lintText(code, { filePath: `${repoRoot}/${project}/src/boundary-probe.ts` });
  assert.deepEqual(result.messages.filter((m) => m.fatal), [], 'the probe was linted');
  return result.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
}

serverSuite('Nx module boundaries (nx lint)', () => {
  // The rule reads Nx's cached project graph and silently skips when there is none.
  before(async () => {
    const nx = await runProcess('npx', ['nx', 'show', 'projects'], { cwd: repoRoot, env: { ...process.env, NX_DAEMON: 'false' }, timeoutMs: 180_000 });
    assert.equal(nx.code, 0, nx.stderr);
  });

  it('refuses a util lib importing a domain lib', async () => {
    const errors = await boundaryErrors('libs/runtime', "export { formatRef } from '@service-replicator/references';\n");
    assert.equal(errors.length, 1);
    assert.match(errors[0], /type:util.*type:util|can only depend on libs tagged with "type:util"/);
  });

  it('refuses a domain lib importing Nest or Redis clients', async () => {
    const errors = await boundaryErrors('libs/references', "import { Injectable } from '@nestjs/common';\nexport const x = Injectable;\n");
    assert.equal(errors.length, 1);
    assert.match(errors[0], /@nestjs\/common/);
  });

  it('refuses an app importing the testing harness', async () => {
    const errors = await boundaryErrors('apps/writer', "export { startRedis } from '@service-replicator/control-plane-harness';\n");
    assert.equal(errors.length, 1);
  });

  it('allows an app to import a domain lib', async () => {
    assert.deepEqual(await boundaryErrors('apps/writer', "export { formatRef } from '@service-replicator/references';\n"), []);
  });
});
