import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1EndpointSlice, V1Endpoints, V1Service } from '@kubernetes/client-node';
import { watchPlan, type Mapping, type TenantSpec } from '@service-replicator/replication-config';
import { SnapshotScope } from './snapshot-scope';

const tenant = (name: string, options: Partial<TenantSpec> = {}): TenantSpec => ({
  name,
  hostNamespace: `vc-${name}`,
  kubeconfig: { file: 'k' },
  allowedHostNamespaces: ['shared'],
  config: { file: 'c' },
  toHostMode: 'selector',
  ...options,
});
const toHost = (name: string, target: string): Mapping => ({
  tenant: name,
  direction: 'toHost',
  source: { namespace: 'shop', name: 'web' },
  target: { namespace: target, name: `${name}-web` },
});
const fromHost: Mapping = { tenant: 'a', direction: 'fromHost', source: { namespace: 'shared', name: 'db' }, target: { namespace: 'default', name: 'db' } };

const service: V1Service = { metadata: { name: 'a-web', namespace: 'vc-a' }, spec: { clusterIP: '10.0.0.1' } };
const slice: V1EndpointSlice = { metadata: { name: 'a-web-x' }, addressType: 'IPv4', endpoints: [] };
const endpoints: V1Endpoints = { metadata: { name: 'a-web', namespace: 'vc-a' } };

describe('SnapshotScope: where core/v1 Endpoints are followed (host side)', () => {
  const plan = watchPlan([toHost('a', 'vc-a'), toHost('b', 'vc-b'), toHost('b', 'shared'), fromHost], 'host');
  const cases: [string, ReadonlyMap<string, TenantSpec>, string[]][] = [
    ['no tenant asks for them', new Map([['a', tenant('a')], ['b', tenant('b')]]), []],
    ['a adopts vCluster mirrors: its target namespace', new Map([['a', tenant('a', { adoptVClusterMirrors: true })], ['b', tenant('b')]]), ['vc-a']],
    ['b writes Endpoints: both namespaces of its targets', new Map([['a', tenant('a')], ['b', tenant('b', { endpoints: true })]]), ['shared', 'vc-b']],
    ['a tenant not (yet) known: not followed', new Map(), []],
  ];
  for (const [name, tenants, expected] of cases) {
    it(name, () => {
      const scope = new SnapshotScope(plan, tenants);
      // "shared" also holds a fromHost source, which never makes Endpoints matter on its own.
      assert.deepEqual(plan.namespaces.filter((namespace) => scope.wantsEndpoints(namespace)), expected);
    });
  }
});

describe('SnapshotScope: a Service snapshot', () => {
  const plan = watchPlan([toHost('a', 'vc-a'), fromHost], 'host');
  const scope = new SnapshotScope(plan, new Map([['a', tenant('a', { endpoints: true })]]));

  it("a target keeps its slices and Endpoints", () => {
    const watched = plan.watched({ namespace: 'vc-a', name: 'a-web' });
    assert.ok(watched);
    assert.deepEqual(scope.view(watched, service, [slice], endpoints), { service, slices: [slice], endpoints });
  });

  it("a ClusterIP source keeps neither (its slices change no mirror; a source's Endpoints never matter)", () => {
    const watched = plan.watched({ namespace: 'shared', name: 'db' });
    assert.ok(watched);
    assert.deepEqual(scope.view(watched, service, [slice], endpoints), { service, slices: [] });
  });
});
