import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planReconcile } from './reconcile-plan';
import { hash8, keyOf, mirrorOf, runPlanCases, type PlanCase } from './reconcile-plan.fixtures';
import { controllerSlice, endpoint, service, tenantSpec, toHostMapping } from './service.fixtures';

// Tenant side (toHost source).
const tenantWeb = service('shop', 'web', {
  clusterIP: '10.0.0.5',
  selector: { app: 'web', release: 'stable' },
  ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }],
});
const tenantWebHeadless = service('shop', 'web', { ...tenantWeb.spec, clusterIP: 'None', clusterIPs: ['None'] });
const tenantPods = [
  controllerSlice('shop', 'web', 'web-a', [endpoint('10.244.0.9')], 'IPv4', [{ name: 'http', protocol: 'TCP', port: 8080 }]),
];
const tenantSliceName = `blue-web-ipv4-${hash8('[{"name":"http","port":8080,"protocol":"TCP"}]')}`;

const inSyncToHost = mirrorOf(toHostMapping, tenantWeb, [], tenantSpec());

/** toHost: the source is a tenant Service, the target a Service in the tenant's host namespace. */
const cases: PlanCase[] = [
  {
    name: 'toHost: selector mode -> host Service selects the tenant pods as vCluster syncs them',
    mapping: toHostMapping,
    tenant: tenantSpec('selector'),
    source: tenantWeb,
    sourceSlices: tenantPods,
    expected: {
      state: 'pending',
      actions: ['create Service vc-blue/blue-web'],
      objects: {
        'create Service vc-blue/blue-web': {
          metadata: { labels: { 'replicator.service-replicator.io/direction': 'toHost' } },
          spec: {
            type: 'ClusterIP',
            clusterIP: undefined,
            ports: [{ name: 'http', port: 80, targetPort: 8080 }],
            // printf release | sha256sum -> a4d451ec23...
            selector: {
              app: 'web',
              release: undefined,
              'vcluster.loft.sh/label-blue-x-a4d451ec23': 'stable',
              'vcluster.loft.sh/managed-by': 'blue',
              'vcluster.loft.sh/namespace': 'shop',
            },
          },
        },
      },
    },
  },
  {
    name: 'toHost: endpoints mode -> host Service without selector plus mirrored slices',
    mapping: toHostMapping,
    tenant: tenantSpec('endpoints'),
    source: tenantWeb,
    sourceSlices: tenantPods,
    tenantPods: new Set(['10.244.0.9']),
    expected: {
      state: 'pending',
      actions: ['create Service vc-blue/blue-web', `create EndpointSlice vc-blue/${tenantSliceName}`],
      objects: {
        'create Service vc-blue/blue-web': { spec: { selector: undefined, clusterIP: undefined } },
        [`create EndpointSlice vc-blue/${tenantSliceName}`]: {
          endpoints: [{ addresses: ['10.244.0.9'] }],
          ports: [{ name: 'http', port: 8080 }],
          metadata: { labels: { 'kubernetes.io/service-name': 'blue-web' } },
        },
      },
    },
  },
  {
    name: 'toHost: selector mode into an allowed namespace -> endpoints mirrored (a selector there would match no pod)',
    mapping: { ...toHostMapping, target: { namespace: 'shared', name: 'blue-web' } },
    tenant: tenantSpec('selector'),
    source: tenantWeb,
    sourceSlices: tenantPods,
    tenantPods: new Set(['10.244.0.9']),
    expected: {
      state: 'pending',
      actions: ['create Service shared/blue-web', `create EndpointSlice shared/${tenantSliceName}`],
      objects: {
        'create Service shared/blue-web': { spec: { selector: undefined } },
        [`create EndpointSlice shared/${tenantSliceName}`]: { endpoints: [{ addresses: ['10.244.0.9'] }] },
      },
    },
  },
  {
    name: "toHost: endpoints mode -> addresses that are not the tenant's pods (host API server, another tenant) are left out and reported",
    mapping: toHostMapping,
    tenant: tenantSpec('endpoints'),
    source: tenantWeb,
    sourceSlices: [
      controllerSlice('shop', 'web', 'web-a', [endpoint('10.244.0.9'), endpoint('10.0.0.1'), endpoint('10.244.7.7')], 'IPv4', [
        { name: 'http', protocol: 'TCP', port: 8080 },
      ]),
    ],
    tenantPods: new Set(['10.244.0.9']),
    expected: {
      state: 'pending',
      actions: ['create Service vc-blue/blue-web', `create EndpointSlice vc-blue/${tenantSliceName}`],
      message: /2 endpoint address\(es\) of tenant Service shop\/web are not pods of tenant "blue" in the host and were left out: 10\.0\.0\.1, 10\.244\.7\.7/,
      objects: { [`create EndpointSlice vc-blue/${tenantSliceName}`]: { endpoints: [{ addresses: ['10.244.0.9'] }] } },
      dropped: ['10.0.0.1', '10.244.7.7'],
    },
  },
  {
    name: 'toHost: endpoints mode, no pod of the tenant known -> no address copied',
    mapping: toHostMapping,
    tenant: tenantSpec('endpoints'),
    source: tenantWeb,
    sourceSlices: tenantPods,
    expected: { state: 'pending', actions: ['create Service vc-blue/blue-web'], dropped: ['10.244.0.9'] },
  },
  {
    name: 'toHost: ExternalName tenant Service without allowExternalName -> refused, our mirror removed',
    mapping: toHostMapping,
    tenant: tenantSpec(),
    source: service('shop', 'web', { type: 'ExternalName', externalName: 'kubernetes.default.svc.cluster.local' }),
    ...inSyncToHost,
    expected: {
      state: 'refused',
      actions: ['delete Service vc-blue/blue-web'],
      message: /tenant Service shop\/web is an ExternalName Service, and tenant "blue" may not create ExternalName Services in the host/,
    },
  },
  {
    name: 'toHost: ExternalName tenant Service with allowExternalName -> host ExternalName Service',
    mapping: toHostMapping,
    tenant: { ...tenantSpec(), allowExternalName: true },
    source: service('shop', 'web', { type: 'ExternalName', externalName: 'web.example.com' }),
    expected: {
      state: 'pending',
      actions: ['create Service vc-blue/blue-web'],
      objects: { 'create Service vc-blue/blue-web': { spec: { type: 'ExternalName', externalName: 'web.example.com' } } },
    },
  },
  {
    name: "toHost: refused (the tenant may not read or write there) -> only ours goes, a user's Service stays",
    mapping: toHostMapping,
    tenant: tenantSpec(),
    source: tenantWeb,
    target: service('vc-blue', 'blue-web', { clusterIP: '10.96.1.1' }),
    refusal: 'forbidden: no',
    expected: { state: 'refused', actions: [], message: /^forbidden: no$/ },
  },
  {
    name: 'toHost: host selector edited by hand -> reverted',
    mapping: toHostMapping,
    tenant: tenantSpec(),
    source: tenantWeb,
    target: { ...inSyncToHost.target, spec: { ...inSyncToHost.target.spec, selector: { app: 'hijack' } } },
    expected: {
      state: 'pending',
      actions: ['update Service vc-blue/blue-web'],
      objects: { 'update Service vc-blue/blue-web': { spec: { clusterIP: '10.96.9.9', selector: { app: 'web' } } } },
    },
  },
  {
    name: "toHost: selector mode, the host controller's slices carry our copied labels -> left alone",
    mapping: toHostMapping,
    tenant: tenantSpec('selector'),
    source: tenantWeb,
    target: inSyncToHost.target,
    targetSlices: [
      (() => {
        const slice = controllerSlice('vc-blue', 'blue-web', 'blue-web-x7k2p', [endpoint('10.244.0.9')]);
        // What the EndpointSlice controller writes: the Service's labels plus its own.
        slice.metadata = { ...slice.metadata, labels: { ...inSyncToHost.target.metadata?.labels, ...slice.metadata?.labels } };
        return slice;
      })(),
    ],
    expected: { state: 'in-sync', actions: [] },
  },
  {
    name: 'toHost: tenant Service became headless -> delete first, then create',
    mapping: toHostMapping,
    tenant: tenantSpec(),
    source: tenantWebHeadless,
    ...inSyncToHost,
    expected: {
      state: 'pending',
      actions: ['delete Service vc-blue/blue-web', 'create Service vc-blue/blue-web'],
      message: /host Service vc-blue\/blue-web changes from ClusterIP to headless/,
      objects: {
        'delete Service vc-blue/blue-web': { uid: 'uid-target-blue-web', resourceVersion: '42' },
        'create Service vc-blue/blue-web': { spec: { clusterIP: 'None' } },
      },
    },
  },
  {
    name: 'toHost: tenant Service deleted -> delete the host Service',
    mapping: toHostMapping,
    tenant: tenantSpec(),
    ...inSyncToHost,
    expected: { state: 'pending', actions: ['delete Service vc-blue/blue-web'], message: /tenant Service shop\/web does not exist/ },
  },
  {
    name: 'toHost: mapping removed -> host Service kept by design',
    key: keyOf(toHostMapping),
    tenant: tenantSpec(),
    source: tenantWeb,
    ...inSyncToHost,
    expected: { state: 'in-sync', actions: [], message: /host Service vc-blue\/blue-web is kept by design/ },
  },
];

describe('planReconcile toHost', () => {
  runPlanCases(cases);

  it('refuses to plan a toHost mapping without its TenantSpec', () => {
    assert.throws(
      () => planReconcile({ mapping: toHostMapping, key: keyOf(toHostMapping), source: tenantWeb, sourceSlices: [], targetSlices: [] }),
      /TenantSpec/,
    );
  });
});
