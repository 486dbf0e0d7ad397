import { describe } from 'node:test';
import type { TenantSpec } from '@service-replicator/replication-config';
import { hash8, mirrorOf, runPlanCases, type PlanCase } from './reconcile-plan.fixtures';
import { translateSelector } from './selector-translation';
import { controllerSlice, endpoint, endpointsObject, labelled, service, tenantSpec, toHostMapping, VCLUSTER_MIRROR_LABELS as VCLUSTER } from './service.fixtures';

// Migration from vCluster's own replicateServices, and core/v1 Endpoints (tenant options), toHost.
const adopting: TenantSpec = { ...tenantSpec(), adoptVClusterMirrors: true };
const withEndpoints: TenantSpec = { ...tenantSpec(), endpoints: true };

// Tenant side (toHost source) and the host Service vCluster's service sync made of it.
const tenantWeb = service('shop', 'web', {
  clusterIP: '10.0.0.5',
  selector: { app: 'web' },
  ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }],
});
const vclusterOwner = { apiVersion: 'v1', kind: 'Service', name: 'blue', uid: 'uid-vcluster-blue', controller: false };
const vclusterHostMirror = labelled(
  service('vc-blue', 'blue-web', { clusterIP: '10.96.7.7', ports: tenantWeb.spec?.ports, selector: translateSelector({ app: 'web' }, 'blue', 'shop') }, 'uid-vc-web'),
  VCLUSTER,
  { ownerReferences: [vclusterOwner] },
);
/** The endpoints controller's Endpoints for a selector Service: the Service's labels copied, vCluster's included. */
const controllerEndpoints = (labels: Record<string, string>) =>
  endpointsObject('vc-blue', 'blue-web', { ...labels, 'endpoints.kubernetes.io/managed-by': 'endpoint-controller' }, '10.244.0.9', { name: 'http', port: 8080, protocol: 'TCP' });
const ourHostMirror = mirrorOf(toHostMapping, tenantWeb, [], tenantSpec());
const tenantPods = [controllerSlice('shop', 'web', 'web-a', [endpoint('10.244.0.9')], 'IPv4', [{ name: 'http', protocol: 'TCP', port: 8080 }])];
/** The host IPs of the tenant's pods as host-watcher keeps them: the one the slices above hold. */
const podIPs = new Set(['10.244.0.9']);
const tenantSliceName = `blue-web-ipv4-${hash8('[{"name":"http","port":8080,"protocol":"TCP"}]')}`;

const toHostCases: PlanCase[] = [
  {
    name: "toHost adopt, selector mode: relabelled, vCluster's owner reference dropped, the controller's Endpoints untouched",
    mapping: toHostMapping,
    tenant: adopting,
    source: tenantWeb,
    target: vclusterHostMirror,
    targetEndpoints: controllerEndpoints(VCLUSTER),
    expected: {
      state: 'pending',
      actions: ['update Service vc-blue/blue-web'],
      objects: {
        'update Service vc-blue/blue-web': {
          metadata: {
            uid: 'uid-vc-web',
            ownerReferences: undefined,
            labels: { 'vcluster.loft.sh/controlled-by': undefined, 'replicator.service-replicator.io/direction': 'toHost' },
          },
          spec: { clusterIP: '10.96.7.7', selector: translateSelector({ app: 'web' }, 'blue', 'shop') },
        },
      },
    },
  },
  {
    name: 'toHost adopt: a vCluster mirror outside the tenant host namespace is another vCluster\'s -> conflict',
    mapping: { ...toHostMapping, target: { namespace: 'shared', name: 'blue-web' } },
    tenant: { ...adopting, allowedHostNamespaces: ['shared'] },
    source: tenantWeb,
    target: { ...vclusterHostMirror, metadata: { ...vclusterHostMirror.metadata, namespace: 'shared' } },
    expected: { state: 'conflict', actions: [], message: /not in tenant blue's host namespace vc-blue, where its vCluster writes toHost mirrors, so it is not adopted/ },
  },
  {
    name: "toHost endpoints on, selector mode: the controller's Endpoints (our labels copied) are left to it",
    mapping: toHostMapping,
    tenant: withEndpoints,
    source: tenantWeb,
    ...ourHostMirror,
    targetEndpoints: controllerEndpoints(ourHostMirror.target.metadata?.labels ?? {}),
    expected: { state: 'in-sync', actions: [] },
  },
  {
    name: 'toHost endpoints mode with endpoints on: Endpoints hold the tenant pods',
    mapping: toHostMapping,
    tenant: { ...withEndpoints, toHostMode: 'endpoints' },
    source: tenantWeb,
    sourceSlices: tenantPods,
    tenantPods: podIPs,
    target: mirrorOf(toHostMapping, tenantWeb, [], tenantSpec('endpoints')).target,
    expected: {
      state: 'pending',
      actions: [`create EndpointSlice vc-blue/${tenantSliceName}`, 'create Endpoints vc-blue/blue-web'],
      objects: {
        'create Endpoints vc-blue/blue-web': {
          metadata: { ownerReferences: [{ name: 'blue-web', uid: 'uid-target-blue-web' }] },
          subsets: [{ addresses: [{ ip: '10.244.0.9' }], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }],
        },
      },
    },
  },
  {
    name: "toHost endpoints mode, the controller's stale Endpoints from selector days (our labels) -> taken over",
    mapping: toHostMapping,
    tenant: { ...withEndpoints, toHostMode: 'endpoints' },
    source: tenantWeb,
    sourceSlices: tenantPods,
    tenantPods: podIPs,
    ...mirrorOf(toHostMapping, tenantWeb, tenantPods, tenantSpec('endpoints')),
    targetEndpoints: controllerEndpoints(ourHostMirror.target.metadata?.labels ?? {}),
    expected: {
      state: 'pending',
      actions: ['update Endpoints vc-blue/blue-web'],
      objects: { 'update Endpoints vc-blue/blue-web': { metadata: { labels: { 'endpoints.kubernetes.io/managed-by': 'service-replicator' } } } },
    },
  },
];

describe('planReconcile: adopting vCluster mirrors, core/v1 Endpoints (toHost)', () => runPlanCases(toHostCases));
