import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConfigIssue, TenantSpec } from './model';
import { parseTenantsFile } from './tenants-file.parser';

const doc = (...lines: string[]) => `${lines.join('\n')}\n`;
/** One tenant entry whose first line is line 2; `extra` lines follow the required keys. */
const oneTenant = (...extra: string[]) =>
  doc(
    'tenants:',
    '  - name: team-a',
    '    hostNamespace: vc-team-a',
    '    kubeconfig: { file: /path/to/kubeconfig }',
    '    config: { file: ./team-a/vcluster.yaml }',
    ...extra,
  );
const EMPTY_MESSAGE =
  'the document is empty (or only comments); an empty file is refused because a truncated or half-written file looks the same. ' +
  'To have no entries, say so: `tenants: []`';
const TEAM_A: TenantSpec = {
  name: 'team-a',
  hostNamespace: 'vc-team-a',
  kubeconfig: { file: '/path/to/kubeconfig' },
  allowedHostNamespaces: [],
  config: { file: './team-a/vcluster.yaml' },
  toHostMode: 'selector',
  fromHostNamespaces: [],
  hostServiceAccount: { namespace: 'service-replicator', name: 'tenant-team-a' },
  allowExternalName: false,
};
const LABEL_RULE =
  "must consist of lower case alphanumeric characters or '-', start and end with an alphanumeric character (DNS-1123 label, at most 63 characters)";

describe('parseTenantsFile: valid files', () => {
  const cases: { name: string; text: string; expected: TenantSpec[] }[] = [
    { name: 'no tenants', text: doc('tenants: []'), expected: [] },
    { name: 'defaults for the optional keys', text: oneTenant(), expected: [TEAM_A] },
    {
      name: 'every key given, relative paths as written',
      text: oneTenant(
        '    allowedHostNamespaces: [shared-services]',
        '    toHostMode: endpoints',
        '    adoptVClusterMirrors: true',
        '    endpoints: true',
        '    fromHostNamespaces: [shared-services, databases]',
        '    hostServiceAccount: replicator-tenants/team-a.v2',
        '    allowExternalName: true',
      ),
      expected: [
        {
          ...TEAM_A,
          allowedHostNamespaces: ['shared-services'],
          toHostMode: 'endpoints',
          adoptVClusterMirrors: true,
          endpoints: true,
          fromHostNamespaces: ['shared-services', 'databases'],
          hostServiceAccount: { namespace: 'replicator-tenants', name: 'team-a.v2' },
          allowExternalName: true,
        },
      ],
    },
    {
      name: 'adoptVClusterMirrors and endpoints given as false read like absent ones',
      text: oneTenant('    adoptVClusterMirrors: false', '    endpoints: false'),
      expected: [TEAM_A],
    },
    {
      name: 'kubeconfig from a secret, config from a ConfigMap or a secret; null keys are unset',
      text: doc(
        'tenants:',
        '  - name: team-b',
        '    hostNamespace: vc-team-b',
        '    kubeconfig: { file: null, secret: { namespace: vc-team-b, name: vc-team-b, key: config } }',
        '    config: { configMap: { namespace: vc-team-b, name: vc-config, key: vcluster.yaml } }',
        '    allowedHostNamespaces:',
        '  - name: team-c',
        '    hostNamespace: vc-team-c',
        '    kubeconfig: { file: kubeconfig }',
        '    config: { secret: { namespace: vc-team-c, name: vc-config.v1, key: config_file } }',
      ),
      expected: [
        {
          ...TEAM_A,
          name: 'team-b',
          hostServiceAccount: { namespace: 'service-replicator', name: 'tenant-team-b' },
          hostNamespace: 'vc-team-b',
          kubeconfig: { secret: { namespace: 'vc-team-b', name: 'vc-team-b', key: 'config' } },
          config: { configMap: { namespace: 'vc-team-b', name: 'vc-config', key: 'vcluster.yaml' } },
        },
        {
          ...TEAM_A,
          name: 'team-c',
          hostServiceAccount: { namespace: 'service-replicator', name: 'tenant-team-c' },
          hostNamespace: 'vc-team-c',
          kubeconfig: { file: 'kubeconfig' },
          config: { secret: { namespace: 'vc-team-c', name: 'vc-config.v1', key: 'config_file' } },
        },
      ],
    },
  ];
  for (const { name, text, expected } of cases) {
    it(name, () => assert.deepEqual(parseTenantsFile(text), { tenants: expected, issues: [] }));
  }
});

describe('parseTenantsFile: issues', () => {
  const cases: { name: string; text: string; issues: ConfigIssue[] }[] = [
    ...['', '\n  \n', doc('# tenants come later'), doc('---')].map((text) => ({
      name: `empty document ${JSON.stringify(text)} (a truncated file looks the same)`,
      text,
      issues: [{ path: '', message: EMPTY_MESSAGE }],
    })),
    { name: 'a mapping without tenants', text: doc('{}'), issues: [{ path: 'tenants', message: 'is required' }] },
    {
      name: 'YAML syntax error',
      text: doc('tenants:', '  - name: "team-a'),
      issues: [{ path: '', message: 'Missing closing "quote', line: 2 }],
    },
    {
      name: 'unknown top-level key',
      text: doc('tenants: []', 'tenant: []'),
      issues: [{ path: 'tenant', message: 'unknown key; expected one of tenants; did you mean "tenants"?', line: 2 }],
    },
    {
      name: 'tenants is not a list, an entry is not a mapping',
      text: doc('tenants: { name: team-a }'),
      issues: [{ path: 'tenants', message: 'must be a list, got a mapping', line: 1 }],
    },
    { name: 'entry is not a mapping', text: doc('tenants:', '  - team-a'), issues: [{ path: 'tenants[0]', message: 'must be a mapping', line: 2 }] },
    { name: 'entry is a list', text: doc('tenants:', '  - []'), issues: [{ path: 'tenants[0]', message: 'must be a mapping, got a list', line: 2 }] },
    {
      name: 'missing keys point at the entry',
      text: doc('tenants:', '  - name: team-a'),
      issues: [
        { path: 'tenants[0].hostNamespace', message: 'is required', line: 2 },
        { path: 'tenants[0].kubeconfig', message: 'is required', line: 2 },
        { path: 'tenants[0].config', message: 'is required', line: 2 },
      ],
    },
    {
      name: 'invalid names',
      text: doc(
        'tenants:',
        '  - name: Team_A',
        '    hostNamespace: vc-team-a-',
        '    kubeconfig: { file: /k }',
        '    config: { file: ./c.yaml }',
        '    allowedHostNamespaces: [shared, Bad, 3]',
      ),
      issues: [
        { path: 'tenants[0].name', message: `"Team_A" is not a valid tenant name: ${LABEL_RULE}`, line: 2 },
        { path: 'tenants[0].hostNamespace', message: `"vc-team-a-" is not a valid namespace: ${LABEL_RULE}`, line: 3 },
        { path: 'tenants[0].allowedHostNamespaces[1]', message: `"Bad" is not a valid namespace: ${LABEL_RULE}`, line: 6 },
        { path: 'tenants[0].allowedHostNamespaces[2]', message: 'must be a string, got number 3', line: 6 },
      ],
    },
    {
      name: 'kubeconfig and config need exactly one source',
      text: doc(
        'tenants:',
        '  - name: team-a',
        '    hostNamespace: vc-team-a',
        '    kubeconfig: { file: /k, secret: { namespace: vc-team-a, name: k, key: config } }',
        '    config: {}',
      ),
      issues: [
        { path: 'tenants[0].kubeconfig', message: 'exactly one of file or secret', line: 4 },
        { path: 'tenants[0].config', message: 'exactly one of file, configMap or secret', line: 5 },
      ],
    },
    {
      name: 'bad secret reference, empty file, unknown keys, bad mode',
      text: doc(
        'tenants:',
        '  - name: team-a',
        '    hostNamespace: vc-team-a',
        '    kubeconfig:',
        '      secret: { namespace: X, name: "a b", key: "c/d", keys: x }',
        '    config: { file: "" }',
        '    hostnamespace: vc-team-a',
        '    toHostMode: nodes',
        '    adoptVClusterMirrors: "yes"',
      ),
      issues: [
        { path: 'tenants[0].kubeconfig.secret.keys', message: 'unknown key; expected one of namespace, name, key; did you mean "key"?', line: 5 },
        { path: 'tenants[0].kubeconfig.secret.namespace', message: `"X" is not a valid namespace: ${LABEL_RULE}`, line: 5 },
        {
          path: 'tenants[0].kubeconfig.secret.name',
          message:
            "\"a b\" is not a valid name: must consist of lower case alphanumeric characters, '-' or '.', start and end with an alphanumeric character (DNS-1123 subdomain, at most 253 characters)",
          line: 5,
        },
        {
          path: 'tenants[0].kubeconfig.secret.key',
          message: "\"c/d\" is not a valid key: must consist of alphanumeric characters, '-', '_' or '.' (at most 253 characters)",
          line: 5,
        },
        { path: 'tenants[0].config.file', message: 'must not be empty', line: 6 },
        {
          path: 'tenants[0].hostnamespace',
          message:
            'unknown key; expected one of name, hostNamespace, kubeconfig, allowedHostNamespaces, config, toHostMode, ' +
            'adoptVClusterMirrors, endpoints, fromHostNamespaces, hostServiceAccount, allowExternalName; did you mean "hostNamespace"?',
          line: 7,
        },
        { path: 'tenants[0].toHostMode', message: 'must be selector or endpoints, got the string "nodes"', line: 8 },
        { path: 'tenants[0].adoptVClusterMirrors', message: 'must be true or false, got the string "yes"', line: 9 },
      ],
    },
    {
      name: 'an overlong value is echoed cut short',
      text: oneTenant().replace('name: team-a', `name: ${'x'.repeat(5000)}`),
      issues: [{ path: 'tenants[0].name', message: `"${'x'.repeat(100)}…" (5000 characters) is not a valid tenant name: must be at most 63 characters (it has 5000)`, line: 2 }],
    },
    {
      name: 'bad grants: namespaces, service account, allowExternalName',
      text: oneTenant('    fromHostNamespaces: [shared, Bad]', '    hostServiceAccount: just-a-name', '    allowExternalName: "yes"'),
      issues: [
        { path: 'tenants[0].fromHostNamespaces[1]', message: `"Bad" is not a valid namespace: ${LABEL_RULE}`, line: 6 },
        { path: 'tenants[0].hostServiceAccount', message: '"just-a-name" must be namespace/name', line: 7 },
        { path: 'tenants[0].allowExternalName', message: 'must be true or false, got the string "yes"', line: 8 },
      ],
    },
    {
      name: "a host identity in a tenant's host namespace, or shared by two tenants",
      text: doc(
        'tenants:',
        '  - { name: a, hostNamespace: vc-a, kubeconfig: { file: k }, config: { file: c }, hostServiceAccount: vc-b/replicator }',
        '  - { name: b, hostNamespace: vc-b, kubeconfig: { file: k }, config: { file: c }, hostServiceAccount: ids/shared }',
        '  - { name: c, hostNamespace: vc-c, kubeconfig: { file: k }, config: { file: c }, hostServiceAccount: ids/shared }',
        '  - { name: d, hostNamespace: service-replicator, kubeconfig: { file: k }, config: { file: c } }',
      ),
      issues: [
        {
          path: 'tenants[0].hostServiceAccount',
          message: 'ServiceAccount vc-b/replicator is in the host namespace of tenant "b", where vCluster creates pods that may run as it; put it in a namespace where no tenant runs',
          line: 2,
        },
        { path: 'tenants[2].hostServiceAccount', message: 'ServiceAccount ids/shared is already the identity of tenants[1]; tenants sharing one would share their grants', line: 4 },
        {
          path: 'tenants[3].hostServiceAccount',
          message:
            'ServiceAccount service-replicator/tenant-d (the default) is in the host namespace of tenant "d", where vCluster creates pods that may run as it; put it in a namespace where no tenant runs',
          line: 5,
        },
      ],
    },
    {
      name: 'duplicate tenant names',
      text: `${oneTenant()}${oneTenant().replace('tenants:\n', '')}`,
      issues: [{ path: 'tenants[1].name', message: 'tenant "team-a" is already declared at tenants[0]', line: 6 }],
    },
  ];
  for (const { name, text, issues } of cases) {
    it(name, () => assert.deepEqual(parseTenantsFile(text), { issues }));
  }
});
