import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatIssue } from './config-issue';
import { formatPath, type ConfigPath } from './config-path';
import { YamlSource } from './yaml-source';

describe('formatPath', () => {
  const cases: { path: ConfigPath; expected: string }[] = [
    { path: [], expected: '' },
    { path: ['networking', 'replicateServices', 'toHost', 2, 'from'], expected: 'networking.replicateServices.toHost[2].from' },
    { path: [0, 'a'], expected: '[0].a' },
    { path: ['labels', 'kubernetes.io/name'], expected: 'labels["kubernetes.io/name"]' },
  ];
  for (const { path, expected } of cases) {
    it(expected || '(root)', () => assert.equal(formatPath(path), expected));
  }
});

describe('YamlSource.lineOf', () => {
  const text = ['a:', '  list:', '    - x', '    -', '      key: 1', '  empty:', 'b: &anchor { c: 2 }', 'd: *anchor', ''].join('\n');
  const source = YamlSource.parse(text).source;
  const cases: { path: ConfigPath; line: number | undefined }[] = [
    { path: [], line: 1 },
    { path: ['a'], line: 1 },
    { path: ['a', 'list'], line: 2 },
    { path: ['a', 'list', 0], line: 3 },
    { path: ['a', 'list', 1, 'key'], line: 5 },
    { path: ['a', 'list', 1, 'missing'], line: 5 },
    { path: ['a', 'list', 7], line: 2 },
    { path: ['a', 'empty', 'below'], line: 6 },
    { path: ['d', 'c'], line: 7 },
    { path: ['missing'], line: undefined },
  ];
  for (const { path, line } of cases) {
    it(`${formatPath(path) || '(root)'} -> ${line}`, () => assert.equal(source?.lineOf(path), line));
  }

  it('turns an alias bomb into an issue instead of a throw', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((k, i) => `${k}: &${k} [${`*${'abcdefgh'[i]}, `.repeat(10)}]`)];
    const parsed = YamlSource.parse(bomb.join('\n'));
    assert.equal(parsed.source, undefined);
    assert.equal(parsed.issues.length, 1);
    assert.equal(parsed.issues[0].path, '');
  });
});

describe('formatIssue', () => {
  it('puts path, message and line on one line', () => {
    const issue = { path: 'tenants[1].kubeconfig', message: 'exactly one of file or secret', line: 9 };
    assert.equal(formatIssue(issue), 'tenants[1].kubeconfig: exactly one of file or secret (line 9)');
    assert.equal(formatIssue({ path: '', message: 'Map keys must be unique' }), 'document: Map keys must be unique');
  });
});
