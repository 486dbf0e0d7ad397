import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Mapping, NetworkPolicyConfig, TenantSpec } from './model';
import { networkPolicyWarnings } from './network-policy-check';

const tenant: TenantSpec = {
  name: 'a',
  hostNamespace: 'vc-a',
  kubeconfig: { file: 'k' },
  allowedHostNamespaces: [],
  config: { file: 'c' },
  toHostMode: 'selector',
};
const fromShared: Mapping = { tenant: 'a', direction: 'fromHost', source: { namespace: 'shared', name: 'db' }, target: { namespace: 'default', name: 'db' } };
const fromOwn: Mapping = { ...fromShared, source: { namespace: 'vc-a', name: 'db' }, target: { namespace: 'default', name: 'own' } };
const toHost: Mapping = { tenant: 'a', direction: 'toHost', source: { namespace: 'default', name: 'web' }, target: { namespace: 'vc-a', name: 'web' } };
const toShared = [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shared' } } }] }];

const cases: { name: string; policy?: NetworkPolicyConfig; mappings: Mapping[]; paths: string[] }[] = [
  { name: 'policies off: nothing to check', policy: { enabled: false }, mappings: [fromShared, toHost], paths: [] },
  { name: 'no egress rule for a fromHost source namespace', policy: { enabled: true, workload: {} }, mappings: [fromShared], paths: ['policies.networkPolicy.workload.egress'] },
  { name: "the user's document's egress rule", policy: { enabled: true, workload: { egress: toShared } }, mappings: [fromShared], paths: [] },
  { name: 'a rule without `to` allows every destination', policy: { enabled: true, workload: { egress: [{ ports: [{ port: 5432 }] }] } }, mappings: [fromShared], paths: [] },
  {
    name: 'a podSelector alone stays in the tenant namespace',
    policy: { enabled: true, workload: { egress: [{ to: [{ podSelector: {} }] }] } },
    mappings: [fromShared],
    paths: ['policies.networkPolicy.workload.egress'],
  },
  { name: 'an ipBlock gets the benefit of the doubt', policy: { enabled: true, workload: { egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] } }, mappings: [fromShared], paths: [] },
  { name: "a source in the tenant's own host namespace needs no rule", policy: { enabled: true }, mappings: [fromOwn], paths: [] },
  { name: 'toHost without any ingress from other namespaces', policy: { enabled: true, workload: { egress: toShared } }, mappings: [fromShared, toHost], paths: ['policies.networkPolicy.workload.ingress'] },
  {
    name: "toHost with the user's document's ingress rule",
    policy: { enabled: true, workload: { ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shared' } } }] }] } },
    mappings: [toHost],
    paths: [],
  },
];

describe('networkPolicyWarnings', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(networkPolicyWarnings(c.policy, c.mappings, tenant).map((w) => w.path), c.paths);
    });
  }

  it('names the namespace, the entries and the rule to add', () => {
    const [warning] = networkPolicyWarnings({ enabled: true }, [fromShared, { ...fromShared, target: { namespace: 'x', name: 'db' } }], tenant);
    assert.match(warning.message, /host namespace "shared", where fromHost\[0\], fromHost\[1\] read their Service/);
    assert.match(warning.message, /namespaceSelector: \{ matchLabels: \{ kubernetes\.io\/metadata\.name: shared \} \}/);
  });
});
