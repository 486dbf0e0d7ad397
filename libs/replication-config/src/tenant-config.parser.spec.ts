import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TenantReplicationConfig } from './model';
import { parseTenantConfig } from './tenant-config.parser';
import { TEST_TENANT } from './test-tenant.fixtures';

const tenant = TEST_TENANT;

const doc = (...lines: string[]) => `${lines.join('\n')}\n`;
const fromHost = (source: string, target: string) => ({
  tenant: 'team-a',
  direction: 'fromHost' as const,
  source: ref(source),
  target: ref(target),
});
const toHost = (source: string, target: string) => ({ ...fromHost(source, target), direction: 'toHost' as const });
function ref(text: string) {
  const [namespace, name] = text.split('/');
  return { namespace, name };
}

describe('parseTenantConfig: valid configs', () => {
  const cases: { name: string; text: string; expected: TenantReplicationConfig }[] = [
    {
      name: 'no entries, said explicitly',
      text: doc('networking:', '  replicateServices:', '    fromHost: []', '    toHost: []'),
      expected: { mappings: [] },
    },
    { name: 'a vcluster.yaml without replicateServices', text: doc('controlPlane: { distro: { k8s: { enabled: true } } }'), expected: { mappings: [] } },
    {
      name: 'the documented examples, fully qualified',
      text: doc(
        'networking:',
        '  replicateServices:',
        '    fromHost:',
        '      - from: my-host-namespace/my-host-service',
        '        to: my-virtual-namespace/my-virtual-service',
        '    toHost:',
        '      - from: my-virtual-namespace/my-virtual-service',
        '        to: my-host-service',
      ),
      expected: {
        mappings: [
          fromHost('my-host-namespace/my-host-service', 'my-virtual-namespace/my-virtual-service'),
          toHost('my-virtual-namespace/my-virtual-service', 'vc-a/my-host-service'),
        ],
      },
    },
    {
      name: 'bare names take the defaults of their side',
      text: doc(
        'networking:',
        '  replicateServices:',
        '    fromHost: [{ from: db, to: db-mirror }]',
        '    toHost: [{ from: api, to: api-export }]',
      ),
      expected: { mappings: [fromHost('vc-a/db', 'default/db-mirror'), toHost('default/api', 'vc-a/api-export')] },
    },
    {
      name: 'toHost target in the host namespace or an allowed one',
      text: doc(
        'networking:',
        '  replicateServices:',
        '    toHost:',
        '      - { from: api, to: vc-a/api }',
        '      - { from: api, to: shared/api }',
      ),
      expected: { mappings: [toHost('default/api', 'vc-a/api'), toHost('default/api', 'shared/api')] },
    },
    {
      name: 'same target name in both directions is no conflict (different clusters)',
      text: doc('networking:', '  replicateServices:', '    fromHost: [{ from: web, to: vc-a/web }]', '    toHost: [{ from: web, to: web }]'),
      expected: { mappings: [fromHost('vc-a/web', 'vc-a/web'), toHost('default/web', 'vc-a/web')] },
    },
    {
      name: 'empty keys and empty lists mean no mappings',
      text: doc('networking:', '  replicateServices:', '    fromHost:', '    toHost: []', 'policies:'),
      expected: { mappings: [] },
    },
    {
      name: 'every other vcluster.yaml key is ignored, even ones this project would reject',
      text: doc(
        'controlPlane: { distro: { k8s: { enabled: true } } }',
        'sync: { toHost: { pods: { enabled: true } } }',
        'networking:',
        '  advanced: { clusterDomain: cluster.local }',
        '  resolveDNS: [{ hostname: x, target: { hostname: y } }]',
        'policies:',
        '  resourceQuota: { enabled: true }',
        'exportKubeConfig: "not a mapping"',
      ),
      expected: { mappings: [] },
    },
    {
      name: 'network policy kept as plain data, with vCluster keys we do not read',
      text: doc(
        'policies:',
        '  networkPolicy:',
        '    enabled: true',
        '    fallbackDns: 8.8.8.8',
        '    workload:',
        '      egress:',
        '        - to:',
        '            - namespaceSelector:',
        '                matchLabels: { kubernetes.io/metadata.name: my-host-namespace }',
        '      ingress: []',
        '      publicEgress: { enabled: true, cidr: 0.0.0.0/0, except: [10.0.0.0/8] }',
      ),
      expected: {
        mappings: [],
        networkPolicy: {
          enabled: true,
          fallbackDns: '8.8.8.8',
          workload: {
            egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'my-host-namespace' } } }] }],
            ingress: [],
            publicEgress: { enabled: true, cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] },
          },
        },
      },
    },
    {
      name: 'YAML anchors and aliases are resolved',
      text: doc('networking:', '  replicateServices:', '    toHost:', '      - &api { from: api, to: api }', '    fromHost: []'),
      expected: { mappings: [toHost('default/api', 'vc-a/api')] },
    },
  ];
  for (const { name, text, expected } of cases) {
    it(name, () => assert.deepEqual(parseTenantConfig(text, tenant), { config: expected, issues: [] }));
  }
});
