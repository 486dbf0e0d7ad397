import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConfigIssue } from './model';
import { parseTenantConfig } from './tenant-config.parser';
import { TEST_TENANT } from './test-tenant.fixtures';
import { parseTenantsFile } from './tenants-file.parser';

/**
 * The parsers on inputs built to exhaust them. Time limits are far above what these take (well
 * under a second each) and only catch a blow-up (quadratic or exponential work); the size of what
 * comes back is bounded exactly.
 */

const tenant = TEST_TENANT;
/** Room for the 10,000 entries below (the per-tenant limits are tested in tenant-config.issues.spec.ts). */
const ROOMY = { maxMappings: 10_000, maxSourceNamespaces: 20 };
const TIME_LIMIT_MS = 15_000;
const FIVE_MB = 5 * 1024 * 1024;

function timed<T>(run: () => T): T {
  const started = performance.now();
  const result = run();
  const elapsed = performance.now() - started;
  assert.ok(elapsed < TIME_LIMIT_MS, `took ${Math.round(elapsed)} ms`);
  return result;
}

function assertShortIssues(issues: readonly ConfigIssue[]): void {
  assert.ok(issues.length > 0);
  assert.ok(JSON.stringify(issues).length < 50_000, `issues take ${JSON.stringify(issues).length} characters`);
}

const replicate = (lines: string[]) => ['networking:', '  replicateServices:', ...lines].join('\n');

describe('config parsers at their limits', () => {
  it('an alias bomb ("billion laughs") is refused without expanding it', () => {
    const levels = 'abcdefghijklmnop'.split('');
    const bomb = [`${levels[0]}: &${levels[0]} [x, x, x, x, x, x, x, x, x, x]`];
    for (let i = 1; i < levels.length; i++) bomb.push(`${levels[i]}: &${levels[i]} [${`*${levels[i - 1]}, `.repeat(10)}]`);
    const heapBefore = process.memoryUsage().heapUsed;
    for (const text of [bomb.join('\n'), `networking:\n  resolveDNS:\n${bomb.map((line) => `    ${line}`).join('\n')}`]) {
      const result = timed(() => parseTenantConfig(text, tenant));
      assert.equal(result.config, undefined);
      assertShortIssues(result.issues);
      assert.match(result.issues[0].message, /alias/i);
      const tenants = timed(() => parseTenantsFile(`tenants: []\n${text}`));
      assertShortIssues(tenants.issues);
    }
    assert.ok(process.memoryUsage().heapUsed - heapBefore < 200 * 1024 * 1024, 'no expansion held in memory');
  });

  it('10,000 valid entries are all read', () => {
    const entries = Array.from({ length: 10_000 }, (_, i) => `      - { from: other/db-${i}, to: default/db-${i} }`);
    const result = timed(() => parseTenantConfig(replicate(['    fromHost:', ...entries]), tenant, ROOMY));
    assert.deepEqual(result.issues, []);
    assert.equal(result.config?.mappings.length, 10_000);
  });

  it('10,000 invalid entries give 100 issues and a count of the rest', () => {
    const entries = Array.from({ length: 10_000 }, (_, i) => `      - { from: other/db, to: Bad_${i} }`);
    const result = timed(() => parseTenantConfig(replicate(['    fromHost:', ...entries]), tenant, ROOMY));
    assert.equal(result.issues.length, 101);
    assert.equal(result.issues.at(-1)?.message, 'and 9900 more issues not listed');
    assertShortIssues(result.issues);
  });

  it('10,000 tenants, and 10,000 keys where only a few are known', () => {
    const tenants = Array.from({ length: 10_000 }, (_, i) => `  - { name: t-${i}, hostNamespace: vc-${i}, kubeconfig: { file: k }, config: { file: c } }`);
    assert.equal(timed(() => parseTenantsFile(['tenants:', ...tenants].join('\n'))).tenants?.length, 10_000);
    const keys = Array.from({ length: 10_000 }, (_, i) => `key${i}: ${i}`);
    const result = timed(() => parseTenantConfig(keys.join('\n'), tenant));
    assert.equal(result.issues.length, 101);
    assertShortIssues(result.issues);
  });

  it('100,000 distinct keys, block and flow: no quadratic duplicate check, a duplicate still found', () => {
    // yaml's own check compares every key with every other: about 100 s for these.
    const keys = Array.from({ length: 100_000 }, (_, i) => `k${i}: 1`);
    const block = timed(() => parseTenantConfig(keys.join('\n'), tenant));
    assert.equal(block.issues.length, 101);
    const flow = timed(() => parseTenantConfig(`{${keys.join(', ')}, k7: 2}`, tenant));
    assert.deepEqual(flow.issues, [{ path: '', message: 'Map keys must be unique', line: 1 }]);
  });

  it('a 5 MB name, key, comment and document come back as short issues', () => {
    const huge = 'a'.repeat(FIVE_MB);
    const texts = [
      replicate(['    fromHost:', `      - { from: shared/${huge}, to: db }`]),
      replicate([`    ${huge}: []`]),
      `${huge}: 1`,
      `tenants:\n  - { name: ${huge}, hostNamespace: vc, kubeconfig: { file: k }, config: { file: c } }`,
      `"${huge}`,
      huge,
    ];
    for (const text of texts) {
      for (const result of [timed(() => parseTenantConfig(text, tenant)), timed(() => parseTenantsFile(text))]) {
        assertShortIssues(result.issues);
      }
    }
    const comment = timed(() => parseTenantConfig(`${replicate(['    fromHost: []'])}\n# ${huge}\n`, tenant));
    assert.deepEqual(comment, { config: { mappings: [] }, issues: [] });
  });

  it('nesting 100,000 deep is refused, not a stack overflow', () => {
    for (const text of ['['.repeat(100_000), `${'- '.repeat(20_000)}x`, `a: ${'{a: '.repeat(50_000)}`]) {
      assertShortIssues(timed(() => parseTenantConfig(text, tenant)).issues);
      assertShortIssues(timed(() => parseTenantsFile(text)).issues);
    }
  });
});
