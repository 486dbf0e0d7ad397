import { describe } from 'node:test';
import type { TenantSpec } from '@service-replicator/replication-config';
import { ownedBy } from './endpoint-slice.factory';
import { buildMirrorEndpoints } from './mirror-endpoints.builder';
import { hash8, keyOf, mirrorOf, runPlanCases, type PlanCase } from './reconcile-plan.fixtures';
import {
  controllerSlice,
  endpoint,
  endpointsObject,
  fromHostMapping,
  labelled,
  service,
  stored,
  tcp5432,
  tenantSpec,
  VCLUSTER_MIRROR_LABELS as VCLUSTER,
} from './service.fixtures';

// Migration from vCluster's own replicateServices, and core/v1 Endpoints (tenant options), fromHost.
const adopting: TenantSpec = { ...tenantSpec(), adoptVClusterMirrors: true };
const withEndpoints: TenantSpec = { ...tenantSpec(), endpoints: true };
const adoptingWithEndpoints: TenantSpec = { ...adopting, endpoints: true };

// Host side (fromHost source) and what vCluster's service sync made of it in the tenant.
const hostClusterIP = service('db', 'postgres', { clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [tcp5432] });
const hostHeadless = service('db', 'postgres', { clusterIP: 'None', clusterIPs: ['None'], ports: [tcp5432] });
const hostExternal = service('db', 'postgres', { type: 'ExternalName', externalName: 'db.example.com', ports: [tcp5432] });
const hostPods = [controllerSlice('db', 'postgres', 'postgres-x1', [endpoint('10.1.0.7')])];
const vclusterTenantMirror = labelled(service('default', 'pg', { clusterIP: 'None', clusterIPs: ['None'], ports: [tcp5432] }, 'uid-vc-pg'), VCLUSTER);
const vclusterEndpoints = endpointsObject('default', 'pg', VCLUSTER, '10.96.0.10');
const mirroredSlice = labelled(controllerSlice('default', 'pg', 'pg-m7x2q', [endpoint('10.96.0.10')]), {
  ...VCLUSTER,
  'kubernetes.io/service-name': 'pg',
  'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io',
});
const ours = mirrorOf(fromHostMapping, hostClusterIP);
const ourEndpoints = stored(ownedBy(buildMirrorEndpoints(fromHostMapping, ours.targetSlices), ours.target), 'uid-our-endpoints');
const headlessSliceName = `pg-ipv4-${hash8('[{"name":"pg","port":5432,"protocol":"TCP"}]')}`;

const fromHostCases: PlanCase[] = [
  {
    name: 'vCluster mirror, option off -> conflict whose message says how to migrate',
    mapping: fromHostMapping,
    tenant: tenantSpec(),
    source: hostClusterIP,
    target: vclusterTenantMirror,
    targetSlices: [mirroredSlice],
    targetEndpoints: vclusterEndpoints,
    expected: {
      state: 'conflict',
      actions: [],
      message:
        /^tenant Service default\/pg exists and was made by vCluster's own replicateServices \(label vcluster\.loft\.sh\/controlled-by: vcluster\); left untouched\. To migrate it, set adoptVClusterMirrors: true on tenant blue in the tenants file: service-replicator then writes its EndpointSlices first, relabels the Service as its own and removes vCluster's Endpoints/,
    },
  },
  {
    name: "adopt: our slice first, then the Service relabelled as ours, then vCluster's Endpoints deleted",
    mapping: fromHostMapping,
    tenant: adopting,
    source: hostClusterIP,
    target: vclusterTenantMirror,
    targetSlices: [mirroredSlice],
    targetEndpoints: vclusterEndpoints,
    expected: {
      state: 'pending',
      actions: ['create EndpointSlice default/pg-ipv4', 'update Service default/pg', 'delete Endpoints default/pg'],
      message: /adopting the tenant Service default\/pg vCluster's replicateServices made/,
      objects: {
        'create EndpointSlice default/pg-ipv4': {
          endpoints: [{ addresses: ['10.96.0.10'] }],
          metadata: { ownerReferences: [{ kind: 'Service', name: 'pg', uid: 'uid-vc-pg' }] },
        },
        'update Service default/pg': {
          metadata: {
            uid: 'uid-vc-pg',
            resourceVersion: '100',
            labels: { 'app.kubernetes.io/managed-by': 'service-replicator', 'vcluster.loft.sh/controlled-by': undefined },
          },
          spec: { clusterIP: 'None', selector: undefined },
        },
        'delete Endpoints default/pg': { uid: 'uid-endpoints-pg', resourceVersion: '9' },
      },
    },
  },
  {
    name: "adopt with endpoints on: vCluster's Endpoints are rewritten as ours (skip-mirror), not deleted",
    mapping: fromHostMapping,
    tenant: adoptingWithEndpoints,
    source: hostClusterIP,
    target: vclusterTenantMirror,
    targetEndpoints: vclusterEndpoints,
    expected: {
      state: 'pending',
      actions: ['create EndpointSlice default/pg-ipv4', 'update Service default/pg', 'update Endpoints default/pg'],
      objects: {
        'update Endpoints default/pg': {
          metadata: {
            uid: 'uid-endpoints-pg',
            labels: {
              'vcluster.loft.sh/controlled-by': undefined,
              'endpointslice.kubernetes.io/skip-mirror': 'true',
              'endpoints.kubernetes.io/managed-by': 'service-replicator',
              'replicator.service-replicator.io/tenant': 'blue',
            },
            ownerReferences: [{ kind: 'Service', uid: 'uid-vc-pg' }],
          },
          subsets: [{ addresses: [{ ip: '10.96.0.10' }], ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] }],
        },
      },
    },
  },
  {
    name: 'adopt, headless host Service: the pod endpoints are in our slice before the Service is relabelled',
    mapping: fromHostMapping,
    tenant: adopting,
    source: hostHeadless,
    sourceSlices: hostPods,
    target: vclusterTenantMirror,
    targetEndpoints: endpointsObject('default', 'pg', VCLUSTER, '10.1.0.7'),
    expected: {
      state: 'pending',
      actions: [`create EndpointSlice default/${headlessSliceName}`, 'update Service default/pg', 'delete Endpoints default/pg'],
    },
  },
  {
    name: 'adopt, ExternalName host Service: the headless vCluster mirror cannot be converted in place -> recreated',
    mapping: fromHostMapping,
    tenant: adopting,
    source: hostExternal,
    target: vclusterTenantMirror,
    targetEndpoints: vclusterEndpoints,
    expected: {
      state: 'pending',
      actions: ['delete Service default/pg', 'create Service default/pg', 'delete Endpoints default/pg'],
      message: /changes from headless to ExternalName/,
    },
  },
  {
    name: "adopted Service with vCluster's Endpoints left over -> they are deleted",
    mapping: fromHostMapping,
    tenant: adopting,
    source: hostClusterIP,
    ...ours,
    targetEndpoints: vclusterEndpoints,
    expected: { state: 'pending', actions: ['delete Endpoints default/pg'] },
  },
  {
    name: "option off again: vCluster's Endpoints beside our Service are left alone",
    mapping: fromHostMapping,
    tenant: tenantSpec(),
    source: hostClusterIP,
    ...ours,
    targetEndpoints: vclusterEndpoints,
    expected: { state: 'in-sync', actions: [] },
  },
  {
    name: 'endpoints on, source only -> Service, then its slice and Endpoints',
    mapping: fromHostMapping,
    tenant: withEndpoints,
    source: hostClusterIP,
    expected: {
      state: 'pending',
      actions: ['create Service default/pg', 'create EndpointSlice default/pg-ipv4', 'create Endpoints default/pg'],
      objects: {
        'create Endpoints default/pg': {
          metadata: { labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true', 'app.kubernetes.io/managed-by': 'service-replicator' } },
          subsets: [{ addresses: [{ ip: '10.96.0.10' }], notReadyAddresses: undefined, ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] }],
        },
      },
    },
  },
  {
    name: 'endpoints on, nothing changed -> in sync',
    mapping: fromHostMapping,
    tenant: withEndpoints,
    source: hostClusterIP,
    ...ours,
    targetEndpoints: ourEndpoints,
    expected: { state: 'in-sync', actions: [] },
  },
  {
    name: 'endpoints on, our Endpoints edited by hand -> reverted',
    mapping: fromHostMapping,
    tenant: withEndpoints,
    source: hostClusterIP,
    ...ours,
    targetEndpoints: { ...ourEndpoints, subsets: [{ addresses: [{ ip: '10.9.9.9' }], ports: [{ port: 1 }] }] },
    expected: {
      state: 'pending',
      actions: ['update Endpoints default/pg'],
      objects: { 'update Endpoints default/pg': { metadata: { uid: 'uid-our-endpoints' }, subsets: [{ addresses: [{ ip: '10.96.0.10' }] }] } },
    },
  },
  {
    name: 'endpoints turned off -> ours deleted',
    mapping: fromHostMapping,
    tenant: tenantSpec(),
    source: hostClusterIP,
    ...ours,
    targetEndpoints: ourEndpoints,
    expected: { state: 'pending', actions: ['delete Endpoints default/pg'] },
  },
  {
    name: "endpoints on, a user's Endpoints of that name -> conflict, untouched",
    mapping: fromHostMapping,
    tenant: withEndpoints,
    source: hostClusterIP,
    ...ours,
    targetEndpoints: endpointsObject('default', 'pg', {}, '10.244.1.1'),
    expected: { state: 'conflict', actions: [], message: /tenant Endpoints pg is not managed by service-replicator; left untouched/ },
  },
  {
    name: 'endpoints on, ExternalName source -> no Endpoints (DNS answers with a CNAME)',
    mapping: fromHostMapping,
    tenant: withEndpoints,
    source: hostExternal,
    expected: { state: 'pending', actions: ['create Service default/pg'] },
  },
  {
    name: 'source deleted -> our Service, slice and Endpoints deleted',
    mapping: fromHostMapping,
    tenant: withEndpoints,
    ...ours,
    targetEndpoints: ourEndpoints,
    expected: { state: 'pending', actions: ['delete Service default/pg', 'delete EndpointSlice default/pg-ipv4', 'delete Endpoints default/pg'] },
  },
  {
    name: "target replaced by a user's Service -> conflict, our slice and Endpoints on it deleted",
    mapping: fromHostMapping,
    tenant: withEndpoints,
    source: hostClusterIP,
    target: service('default', 'pg', { clusterIP: '10.0.0.99', ports: [tcp5432] }),
    targetSlices: ours.targetSlices,
    targetEndpoints: ourEndpoints,
    expected: {
      state: 'conflict',
      actions: ['delete EndpointSlice default/pg-ipv4', 'delete Endpoints default/pg'],
      message: /our EndpointSlices and Endpoints on it are deleted\. To replicate here/,
    },
  },
  {
    name: 'mapping removed -> our Endpoints deleted with the rest',
    key: keyOf(fromHostMapping),
    tenant: withEndpoints,
    ...ours,
    targetEndpoints: ourEndpoints,
    expected: { state: 'pending', actions: ['delete Service default/pg', 'delete EndpointSlice default/pg-ipv4', 'delete Endpoints default/pg'] },
  },
];

describe('planReconcile: adopting vCluster mirrors, core/v1 Endpoints (fromHost)', () => runPlanCases(fromHostCases));
