import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { MAX_REPORTED_ISSUES } from './config-issue';
import { decodeConfigBytes } from './config-text';
import type { ConfigIssue } from './model';
import { parseTenantConfig } from './tenant-config.parser';
import { TEST_TENANT } from './test-tenant.fixtures';
import { parseTenantsFile } from './tenants-file.parser';

/**
 * Property-based tests of both config parsers on hostile input: whatever they are given, they
 * return (never throw), a result is either a config with no issues or issues with no config, and
 * every issue is short and says where. Big inputs check that time and output stay bounded.
 */

const RUNS = 1_000;
/** Longest message any issue may have: values are echoed cut short, parser messages capped. */
const MAX_MESSAGE = 2_000;

const tenant = TEST_TENANT;

type Parse = (text: string) => { issues: ConfigIssue[]; config?: unknown; tenants?: unknown };
const PARSERS: readonly { name: string; parse: Parse }[] = [
  { name: 'vcluster.yaml', parse: (text) => parseTenantConfig(text, tenant) },
  { name: 'tenants file', parse: (text) => parseTenantsFile(text) },
];

/** What every result must be, whatever the input. */
function assertWellFormed(result: ReturnType<Parse>): void {
  const accepted = result.config ?? result.tenants;
  if (accepted !== undefined) {
    assert.deepEqual(result.issues, []);
    return;
  }
  assert.ok(result.issues.length > 0, 'a refused document has at least one issue');
  assert.ok(result.issues.length <= MAX_REPORTED_ISSUES + 1, `at most ${MAX_REPORTED_ISSUES} issues and a count of the rest`);
  for (const issue of result.issues) {
    assert.equal(typeof issue.path, 'string');
    assert.ok(issue.message.length > 0 && issue.message.length <= MAX_MESSAGE, `message of ${issue.message.length} characters`);
    assert.ok(issue.path.length <= MAX_MESSAGE, `path of ${issue.path.length} characters`);
    if (issue.line !== undefined) assert.ok(Number.isInteger(issue.line) && issue.line >= 1);
  }
}

/** Bytes as config-watcher reads them: decoded (non-UTF-8 is an issue), then parsed. */
function parseBytes(parse: Parse, bytes: Uint8Array): ReturnType<Parse> {
  const decoded = decodeConfigBytes(bytes);
  return decoded.issue ? { issues: [decoded.issue] } : parse(decoded.text);
}

/** Text that is mostly YAML-ish punctuation, so the parser's corners get visited more than letters would. */
const yamlish = fc
  .array(fc.oneof(fc.constantFrom(...':-[]{}&*!|>\'"#%@`,? \n\t'.split(''), '  ', '\n  - ', ': ', '---\n', '&a ', '*a', '<<: '), fc.string({ maxLength: 8 })), { maxLength: 60 })
  .map((parts) => parts.join(''));

/** Keys plain objects inherit: a validator that looks them up with `in` lets them through. */
const trickyKey = fc.constantFrom('constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', 'from', 'to', 'fromHost');

/** Values of every type, for wrong-type positions. */
const anyValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, true, 0, -1, 1.5, '', ' ', 'a/b/c', 'Bad_Name', {}, [], [[]]),
  fc.dictionary(trickyKey, fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 }),
);

/** References, often valid ones, so that accepted documents with entries come up too. */
const reference = fc.oneof(anyValue, fc.constantFrom('db', 'web', 'shared/db', 'vc-a/api', 'default/web'), fc.stringMatching(/^[a-z]{1,3}(\/[a-z]{1,3})?$/));
const entry = fc.oneof(anyValue, fc.record({ from: reference, to: reference }, { requiredKeys: ['from', 'to'] }));

const vclusterDocument = fc.record(
  {
    networking: fc.oneof(
      anyValue,
      fc.record({
        replicateServices: fc.oneof(
          anyValue,
          fc.record(
            {
              fromHost: fc.oneof(anyValue, fc.array(entry, { maxLength: 5 })),
              toHost: fc.oneof(anyValue, fc.array(entry, { maxLength: 5 })),
            },
            { requiredKeys: [] },
          ),
        ),
      }, { requiredKeys: [] }),
    ),
    policies: anyValue,
    [`extra`]: anyValue,
  },
  { requiredKeys: [] },
);

const tenantsDocument = fc.record(
  {
    tenants: fc.oneof(
      anyValue,
      fc.array(
        fc.record(
          {
            name: anyValue,
            hostNamespace: anyValue,
            kubeconfig: fc.oneof(anyValue, fc.record({ file: anyValue, secret: anyValue }, { requiredKeys: [] })),
            config: fc.oneof(anyValue, fc.record({ file: anyValue, configMap: anyValue }, { requiredKeys: [] })),
            allowedHostNamespaces: anyValue,
            toHostMode: anyValue,
            adoptVClusterMirrors: anyValue,
            endpoints: anyValue,
            fromHostNamespaces: anyValue,
            hostServiceAccount: fc.oneof(anyValue, fc.constantFrom('ids/a', 'ids/b', 'vc-a/x', 'a/b/c')),
            allowExternalName: anyValue,
          },
          { requiredKeys: [] },
        ),
        { maxLength: 4 },
      ),
    ),
  },
  { requiredKeys: [] },
);

function entryCount(data: { networking?: unknown }): number {
  const networking = data.networking as { replicateServices?: Record<string, unknown> } | null | undefined;
  const replicate = networking?.replicateServices;
  return ['fromHost', 'toHost'].reduce((count, direction) => count + (Array.isArray(replicate?.[direction]) ? (replicate[direction] as unknown[]).length : 0), 0);
}

for (const { name, parse } of PARSERS) {
  describe(`${name} parser on any input`, () => {
    it('any bytes (non-UTF-8 included): never a throw, a well-formed result', () => {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => assertWellFormed(parseBytes(parse, bytes))), { numRuns: RUNS });
    });

    it('any text, any code points: never a throw, a well-formed result', () => {
      fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), yamlish), (text) => assertWellFormed(parse(text))), { numRuns: RUNS });
    });
  });
}

describe('vcluster.yaml parser, wrong types anywhere', () => {
  it('every refused document says where: each issue has a path (or a line)', () => {
    fc.assert(
      fc.property(vclusterDocument, (data) => {
        const result = parseTenantConfig(stringify(data), tenant);
        assertWellFormed(result);
        // Nothing is dropped quietly: an accepted document has a mapping for every entry it lists.
        if (result.config) assert.equal(result.config.mappings.length, entryCount(data));
        if (result.config === undefined && data !== null && Object.keys(data).length > 0) {
          for (const issue of result.issues) assert.ok(issue.path !== '' || issue.line !== undefined, JSON.stringify(issue));
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('tenants file parser, wrong types anywhere', () => {
  it('every refused document says where: each issue has a path (or a line)', () => {
    fc.assert(
      fc.property(tenantsDocument, (data) => {
        const result = parseTenantsFile(stringify(data));
        assertWellFormed(result);
        if (result.tenants) assert.equal(result.tenants.length, (data.tenants as unknown[]).length);
        if (result.tenants === undefined && Object.keys(data).length > 0) {
          for (const issue of result.issues) assert.ok(issue.path !== '' || issue.line !== undefined, JSON.stringify(issue));
        }
      }),
      { numRuns: RUNS },
    );
  });
});
