#!/usr/bin/env node
// Runs compiled tests with Node's test runner (Node 20's runner takes no globs, so files are found
// here). Build first (`npm run build`); each project's Nx `test` target runs this for its folder.
//   node scripts/run-tests.js unit [project-dir ...]   *.spec.js beside the code (default: libs, apps);
//                                                      a project without *.spec.ts passes, saying so
//   node scripts/run-tests.js servers                  test/dist/**/*.test.js, one file at a time:
//                                                      each starts its own API servers and Redis
//   node scripts/run-tests.js all                      both, in one run with one summary
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync } = require('node:fs');
const { join } = require('node:path');

function find(dir, suffix) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : find(path, suffix);
    return entry.name.endsWith(suffix) ? [path] : [];
  });
}

const [kind = 'unit', ...dirs] = process.argv.slice(2);
let files;
let runnerArgs = [];
const unitTests = () => {
  const projects = dirs.length > 0 ? dirs : ['libs', 'apps'].flatMap((root) => readdirSync(root).map((p) => join(root, p)));
  return projects.flatMap((project) => {
    const compiled = find(join(project, 'dist'), '.spec.js');
    const sources = find(join(project, 'src'), '.spec.ts');
    if (sources.length === 0) console.log(`${project}: no unit tests (no *.spec.ts in ${join(project, 'src')})`);
    else if (compiled.length < sources.length) {
      console.error(`${project}: ${sources.length} *.spec.ts but ${compiled.length} compiled: build first (npm run build)`);
      process.exit(1);
    }
    return compiled;
  });
};
const serverTests = () => find(join('test', 'dist'), '.test.js');

if (kind === 'unit') {
  files = unitTests();
} else if (kind === 'servers' || kind === 'all') {
  files = kind === 'all' ? [...unitTests(), ...serverTests()] : serverTests();
  console.log(`${files.length} test files, the server tests against real API servers and Redis, one file at a time`);
  // Server tests start API servers and our apps as processes: one file at a time on 2 cores.
  // A file ends once its tests have (each suite stops what it started; see
  // test/src/support/server-suite.ts), even if a failed test left a socket or timer behind.
  runnerArgs = ['--test-concurrency=1', '--test-force-exit'];
} else {
  console.error(`unknown test kind "${kind}": use unit, servers or all`);
  process.exit(2);
}

if (files.length === 0) {
  if (kind === 'unit') process.exit(0);
  console.error(`no ${kind} tests found: build first (npm run build)`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--enable-source-maps', '--test', ...runnerArgs, ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
