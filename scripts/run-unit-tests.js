#!/usr/bin/env node
// Runs the compiled unit tests (`*.spec.js` beside the code) with Node's test runner.
// Node 20's runner takes no globs, so the files are found here. Build first (`npm run build`).
const { spawnSync } = require('node:child_process');
const { readdirSync } = require('node:fs');
const { join } = require('node:path');

function specFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : specFiles(path);
    return entry.name.endsWith('.spec.js') ? [path] : [];
  });
}

const roots = process.argv.length > 2 ? process.argv.slice(2) : ['libs', 'apps'];
const files = roots.flatMap((root) =>
  root === 'libs' || root === 'apps'
    ? readdirSync(root).flatMap((project) => safeSpecFiles(join(root, project, 'dist')))
    : safeSpecFiles(join(root, 'dist')),
);

function safeSpecFiles(dir) {
  try {
    return specFiles(dir);
  } catch {
    return [];
  }
}

if (files.length === 0) {
  console.log(`no unit tests in ${roots.join(', ')}`);
  process.exit(0);
}
const result = spawnSync(process.execPath, ['--enable-source-maps', '--test', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
