import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConfigIssue } from './model';
import { parseTenantConfig } from './tenant-config.parser';
import { TEST_TENANT } from './test-tenant.fixtures';

const tenant = TEST_TENANT;

const doc = (...lines: string[]) => `${lines.join('\n')}\n`;
/** A document whose replicateServices entries start on line 3. */
const entries = (...lines: string[]) => doc('networking:', '  replicateServices:', ...lines);
const RS = 'networking.replicateServices';
const SERVICE_RULE =
  "must consist of lower case alphanumeric characters or '-', start with a letter and end with an alphanumeric character (DNS-1035 label, at most 63 characters)";
const NAMESPACE_RULE =
  "must consist of lower case alphanumeric characters or '-', start and end with an alphanumeric character (DNS-1123 label, at most 63 characters)";

const EMPTY_MESSAGE =
  'the document is empty (or only comments); an empty file is refused because a truncated or half-written file looks the same. ' +
  'To have no entries, say so: `networking: { replicateServices: { fromHost: [], toHost: [] } }`';
const TOP_LEVEL_KEYS =
  'global, exportKubeConfig, sync, integrations, deploy, networking, policies, controlPlane, privateNodes, rbac, plugins, ' +
  'experimental, telemetry, serviceCIDR, pro, plugin, logging, sleep, snapshots, deletion, platform';

describe('parseTenantConfig: issues', () => {
  const cases: { name: string; text: string; issues: ConfigIssue[] }[] = [
    ...['', ' \n\t\n', doc('# replicated services', '# come later'), doc('---'), doc('~')].map((text) => ({
      name: `empty document ${JSON.stringify(text)} (a truncated file looks the same)`,
      text,
      issues: [{ path: '', message: EMPTY_MESSAGE }],
    })),
    {
      name: 'replicateServices at the top level (as one of vCluster\'s docs pages prints it)',
      text: doc('replicateServices:', '  fromHost: [{ from: db, to: db }]'),
      issues: [
        {
          path: 'replicateServices',
          message: 'unknown top-level key; did you mean "networking.replicateServices"? (it belongs under networking)',
          line: 1,
        },
      ],
    },
    {
      name: 'the legacy mapServices, with what to write instead',
      text: doc('mapServices:', '  fromVirtual: [{ from: api, to: api }]'),
      issues: [
        {
          path: 'mapServices',
          message:
            'the legacy (vCluster < 0.20) mapServices is no longer read: write mapServices.fromHost as ' +
            'networking.replicateServices.fromHost and mapServices.fromVirtual as networking.replicateServices.toHost ' +
            '(`vcluster convert config` does this migration)',
          line: 1,
        },
      ],
    },
    {
      name: 'a typo under networking',
      text: doc('networking:', '  replicatServices:', '    fromHost: [{ from: db, to: db }]'),
      issues: [
        {
          path: 'networking.replicatServices',
          message:
            'unknown key under networking (vCluster refuses it); expected one of serviceCIDR, podCIDR, replicateServices, ' +
            'resolveDNS, advanced; did you mean "networking.replicateServices"?',
          line: 2,
        },
      ],
    },
    {
      name: 'an unknown top-level key, with the likely key',
      text: doc('controlplane: {}', 'madeUpField: 1'),
      issues: [
        {
          path: 'controlplane',
          message: `unknown top-level key (vCluster refuses it); expected one of ${TOP_LEVEL_KEYS}; did you mean "controlPlane"?`,
          line: 1,
        },
        { path: 'madeUpField', message: `unknown top-level key (vCluster refuses it); expected one of ${TOP_LEVEL_KEYS}`, line: 2 },
      ],
    },
    {
      name: 'keys that plain objects inherit are unknown keys too',
      text: entries('    constructor: []', '    fromHost: [{ from: db, to: db, __proto__: x }]'),
      issues: [
        { path: `${RS}.constructor`, message: 'unknown key', line: 3 },
        { path: `${RS}.fromHost[0].__proto__`, message: 'unknown key', line: 4 },
      ],
    },
    {
      name: 'an entry that is a list (not dropped quietly)',
      text: entries('    fromHost:', '      - [{ from: db, to: db }]', '      - { from: db, to: db }'),
      issues: [{ path: `${RS}.fromHost[0]`, message: 'must be a mapping with from and to, got a list', line: 4 }],
    },
    {
      name: 'an overlong value and key are echoed cut short',
      text: entries(`    fromHost: [{ from: ${'a'.repeat(300)}, to: db }]`, `    ${'k'.repeat(200)}: []`),
      issues: [
        {
          path: `${RS}.fromHost[0].from`,
          message: `"${'a'.repeat(100)}…" (300 characters) is not a valid service name: must be at most 63 characters (it has 300)`,
          line: 3,
        },
        { path: `${RS}["${'k'.repeat(100)}…" (200 characters)]`, message: 'unknown key; expected one of fromHost, toHost', line: 4 },
      ],
    },
    {
      name: 'YAML syntax error',
      text: doc('networking:', '  replicateServices:', '    toHost: [', 'policies: {}'),
      issues: [{ path: '', message: 'Flow sequence in block collection must be sufficiently indented and end with a ]', line: 4 }],
    },
    {
      name: 'duplicate YAML key',
      text: entries('    toHost: []', '    toHost: []'),
      issues: [{ path: '', message: 'Map keys must be unique', line: 4 }],
    },
    {
      name: 'several YAML documents',
      text: doc('networking: {}', '---', 'policies: {}'),
      issues: [{ path: '', message: 'contains more than one YAML document; expected one', line: 2 }],
    },
    { name: 'document is not a mapping', text: doc('- a', '- b'), issues: [{ path: '', message: 'must be a mapping, got a list', line: 1 }] },
    {
      name: 'networking is not a mapping',
      text: doc('networking: on'),
      issues: [{ path: 'networking', message: 'must be a mapping, got the string "on"', line: 1 }],
    },
    {
      name: 'replicateServices is not a mapping',
      text: doc('networking:', '  replicateServices: [a]'),
      issues: [{ path: `${RS}`, message: 'must be a mapping, got a list', line: 2 }],
    },
    {
      name: 'unknown keys under replicateServices and in entries, with the likely key',
      text: entries('    tohost: []', '    fromHost:', '      - from: a', '        To: b', '        port: 80'),
      issues: [
        { path: `${RS}.tohost`, message: 'unknown key; expected one of fromHost, toHost; did you mean "toHost"?', line: 3 },
        { path: `${RS}.fromHost[0].to`, message: 'is required', line: 5 },
        { path: `${RS}.fromHost[0].To`, message: 'unknown key; expected one of from, to; did you mean "to"?', line: 6 },
        { path: `${RS}.fromHost[0].port`, message: 'unknown key; expected one of from, to', line: 7 },
      ],
    },
    {
      name: 'wrong types of lists, entries and references',
      text: entries('    fromHost: { from: a, to: b }', '    toHost:', '      - a/b', '      -', '      - { from: 5, to: [x] }'),
      issues: [
        { path: `${RS}.fromHost`, message: 'must be a list, got a mapping', line: 3 },
        { path: `${RS}.toHost[0]`, message: 'must be a mapping with from and to', line: 5 },
        { path: `${RS}.toHost[1]`, message: 'must be a mapping with from and to', line: 6 },
        { path: `${RS}.toHost[2].from`, message: 'must be a string, got number 5', line: 7 },
        { path: `${RS}.toHost[2].to`, message: 'must be a string, got a list', line: 7 },
      ],
    },
    {
      name: 'bad references, each at its own path',
      text: entries(
        '    toHost:',
        '      - { from: web, to: ok }',
        '      - { from: web, to: ok-2 }',
        '      - { from: a/b/c, to: " web" }',
        '      - { from: My_Svc, to: Shared/web }',
        '      - { from: /web, to: "" }',
      ),
      issues: [
        { path: `${RS}.toHost[2].from`, message: '"a/b/c" has 3 parts; a reference is name or namespace/name', line: 6 },
        { path: `${RS}.toHost[2].to`, message: '" web" has leading or trailing whitespace', line: 6 },
        { path: `${RS}.toHost[3].from`, message: `"My_Svc" is not a valid service name: ${SERVICE_RULE}`, line: 7 },
        { path: `${RS}.toHost[3].to`, message: `"Shared" is not a valid namespace: ${NAMESPACE_RULE}`, line: 7 },
        { path: `${RS}.toHost[4].from`, message: '"/web" has an empty namespace; a reference is name or namespace/name', line: 8 },
        { path: `${RS}.toHost[4].to`, message: 'is empty; a reference is name or namespace/name', line: 8 },
      ],
    },
    {
      name: 'toHost target outside the allowed host namespaces',
      text: entries('    toHost:', '      - from: web', '        to: kube-system/web'),
      issues: [
        {
          path: `${RS}.toHost[0].to`,
          message: 'namespace "kube-system" is not allowed for toHost targets of tenant "team-a"; allowed: vc-a, shared',
          line: 5,
        },
      ],
    },
    {
      name: 'fromHost may target any tenant namespace, but not twice the same target',
      text: entries('    fromHost:', '      - { from: db, to: apps/db }', '      - { from: other/db, to: apps/db }'),
      issues: [{ path: `${RS}.fromHost[1].to`, message: 'target apps/db is already the target of fromHost[0]', line: 5 }],
    },
    {
      name: 'duplicate targets are found after defaults are applied',
      text: entries(
        '    toHost:',
        '      - { from: a, to: web }',
        '      - { from: b, to: other }',
        '      - { from: c, to: shared/web }',
        '      - { from: d, to: vc-a/web }',
      ),
      issues: [{ path: `${RS}.toHost[3].to`, message: 'target vc-a/web is already the target of toHost[0]', line: 7 }],
    },
    {
      name: 'network policy of the wrong shape',
      text: doc(
        'policies:',
        '  networkPolicy:',
        '    enabled: yes',
        '    workload:',
        '      ingress: [{ from: [] }, 3]',
        '      egress: all',
        '      publicEgress: { except: [1] }',
      ),
      issues: [
        { path: 'policies.networkPolicy.enabled', message: 'must be true or false, got the string "yes"', line: 3 },
        { path: 'policies.networkPolicy.workload.ingress', message: 'item [1] must be a mapping, got number 3', line: 5 },
        { path: 'policies.networkPolicy.workload.egress', message: 'must be a list, got the string "all"', line: 6 },
        { path: 'policies.networkPolicy.workload.publicEgress.except', message: 'item [0] must be a string, got number 1', line: 7 },
      ],
    },
    {
      name: 'networkPolicy is not a mapping',
      text: doc('policies:', '  networkPolicy: true'),
      issues: [{ path: 'policies.networkPolicy', message: 'must be a mapping, got boolean true', line: 2 }],
    },
  ];
  for (const { name, text, issues } of cases) {
    it(name, () => assert.deepEqual(parseTenantConfig(text, tenant), { issues }));
  }

  it('lists the first 100 issues and says how many more there were', () => {
    const text = entries('    fromHost:', ...Array.from({ length: 250 }, (_, i) => `      - { from: db, to: Bad${i} }`));
    const { config, issues } = parseTenantConfig(text, tenant);
    assert.equal(config, undefined);
    assert.equal(issues.length, 101);
    assert.equal(issues[0].path, `${RS}.fromHost[0].to`);
    assert.deepEqual(issues[100], { path: '', message: 'and 150 more issues not listed' });
  });

  it('keeps no partial config when one entry of many is bad', () => {
    const result = parseTenantConfig(entries('    fromHost:', '      - { from: a, to: b }', '      - { from: a, to: B }'), tenant);
    assert.equal(result.config, undefined);
    assert.equal(result.issues.length, 1);
  });
});

describe('parseTenantConfig: grants and limits', () => {
  it("refuses a fromHost source in a namespace not granted to the tenant (another tenant's, the API server's)", () => {
    const text = entries('    fromHost:', '      - { from: db, to: db }', '      - { from: vcluster-b/b-private, to: b }', '      - { from: default/kubernetes, to: k }');
    const granted = 'granted: vc-a, my-host-namespace, other (fromHostNamespaces in the tenants file)';
    assert.deepEqual(parseTenantConfig(text, tenant).issues, [
      { path: `${RS}.fromHost[1].from`, message: `namespace "vcluster-b" is not granted to tenant "team-a"; ${granted}`, line: 5 },
      { path: `${RS}.fromHost[2].from`, message: `namespace "default" is not granted to tenant "team-a"; ${granted}`, line: 6 },
    ]);
  });

  it('grants only the host namespace when fromHostNamespaces is not given', () => {
    const { fromHostNamespaces: _granted, ...ungranted } = tenant;
    const issues = parseTenantConfig(entries('    fromHost: [{ from: other/db, to: db }]'), ungranted).issues;
    assert.equal(issues[0].message, 'namespace "other" is not granted to tenant "team-a"; granted: vc-a (fromHostNamespaces in the tenants file)');
  });

  it('reports one issue, at the first entry over the mapping limit', () => {
    const lines = ['    fromHost:', ...['a', 'b'].map((n) => `      - { from: ${n}, to: ${n} }`), '    toHost:', ...['c', 'd'].map((n) => `      - { from: ${n}, to: ${n} }`)];
    const result = parseTenantConfig(entries(...lines), tenant, { maxMappings: 3, maxSourceNamespaces: 10 });
    assert.deepEqual(result.issues, [
      {
        path: `${RS}.toHost[1]`,
        message: 'tenant "team-a" has 4 entries; at most 3 are allowed per tenant (MAX_MAPPINGS_PER_TENANT), and this is the first one over',
        line: 8,
      },
    ]);
    assert.equal(parseTenantConfig(entries(...lines), tenant, { maxMappings: 4, maxSourceNamespaces: 10 }).issues.length, 0);
  });

  it('limits the distinct fromHost source namespaces, not the entries reading them', () => {
    const text = entries('    fromHost:', '      - { from: a, to: a }', '      - { from: b, to: b }', '      - { from: other/c, to: c }', '      - { from: my-host-namespace/d, to: d }');
    assert.deepEqual(parseTenantConfig(text, tenant, { maxMappings: 100, maxSourceNamespaces: 2 }).issues, [
      {
        path: `${RS}.fromHost[3].from`,
        message: 'namespace "my-host-namespace" would make 3 distinct fromHost source namespaces for tenant "team-a"; at most 2 are allowed (MAX_SOURCE_NAMESPACES_PER_TENANT)',
        line: 7,
      },
    ]);
  });

  it('keeps no partial config when one source of many is not granted', () => {
    const result = parseTenantConfig(entries('    fromHost:', '      - { from: a, to: a }', '      - { from: kube-system/dns, to: dns }'), tenant);
    assert.equal(result.config, undefined);
    assert.equal(result.issues.length, 1);
  });
});
