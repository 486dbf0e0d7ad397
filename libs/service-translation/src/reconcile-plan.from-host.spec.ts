import { describe } from 'node:test';
import { hash8, keyOf, mirrorOf, runPlanCases, type PlanCase } from './reconcile-plan.fixtures';
import { controllerSlice, endpoint, fromHostMapping, service, tcp5432 } from './service.fixtures';

// Host side (fromHost source).
const hostClusterIP = service('db', 'postgres', { clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [tcp5432] });
const hostPortChanged = service('db', 'postgres', { clusterIP: '10.96.0.10', ports: [{ ...tcp5432, port: 5433 }] });
const hostDualStack = service('db', 'postgres', { clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10', 'fd00::10'], ports: [tcp5432] });
const hostHeadless = service('db', 'postgres', { clusterIP: 'None', clusterIPs: ['None'], ports: [tcp5432] });
const hostExternal = service('db', 'postgres', { type: 'ExternalName', externalName: 'db.example.com', ports: [tcp5432] });
const hostPods = [controllerSlice('db', 'postgres', 'postgres-x1', [endpoint('10.1.0.7'), endpoint('10.1.0.8', false)])];
const hostPodsReady = [controllerSlice('db', 'postgres', 'postgres-x1', [endpoint('10.1.0.7'), endpoint('10.1.0.8', true)])];
const headlessSliceName = `pg-ipv4-${hash8('[{"name":"pg","port":5432,"protocol":"TCP"}]')}`;

const inSyncFromHost = mirrorOf(fromHostMapping, hostClusterIP);
const usersOwnService = service('default', 'pg', { clusterIP: '10.0.0.99', selector: { app: 'mine' }, ports: [tcp5432] });
const foreignSlice = controllerSlice('default', 'pg', 'pg-abcde', [endpoint('10.244.3.3')]);

/** fromHost: the source is a host Service, the target a Service in the tenant cluster. */
const cases: PlanCase[] = [
  {
    name: 'fromHost: the tenant may not read the source (refused by the API server) -> our mirror and its slices go',
    mapping: fromHostMapping,
    source: hostClusterIP,
    ...inSyncFromHost,
    refusal: 'forbidden: tenant "blue" may not read host namespace "db"',
    expected: {
      state: 'refused',
      actions: ['delete Service default/pg', 'delete EndpointSlice default/pg-ipv4'],
      message: /^forbidden: tenant "blue" may not read host namespace "db"; removing our tenant Service default\/pg \(2 action\(s\) pending\)$/,
    },
  },
  {
    name: 'fromHost: source only -> create the headless tenant Service, then its slice',
    mapping: fromHostMapping,
    source: hostClusterIP,
    expected: {
      state: 'pending',
      actions: ['create Service default/pg', 'create EndpointSlice default/pg-ipv4'],
      objects: {
        'create Service default/pg': {
          metadata: {
            labels: { 'replicator.service-replicator.io/tenant': 'blue', app: undefined },
            annotations: { 'replicator.service-replicator.io/source': 'host:db/postgres', note: undefined },
          },
          spec: { type: 'ClusterIP', clusterIP: 'None', selector: undefined, ports: [{ name: 'pg', port: 5432 }] },
        },
        'create EndpointSlice default/pg-ipv4': {
          addressType: 'IPv4',
          endpoints: [{ addresses: ['10.96.0.10'], conditions: { ready: true } }],
          ports: [{ name: 'pg', protocol: 'TCP', port: 5432 }],
          metadata: { labels: { 'kubernetes.io/service-name': 'pg' } },
        },
      },
    },
  },
  {
    name: 'fromHost: nothing changed -> in sync',
    mapping: fromHostMapping,
    source: hostClusterIP,
    ...inSyncFromHost,
    expected: { state: 'in-sync', actions: [], message: /tenant Service default\/pg is in sync with host Service db\/postgres/ },
  },
  {
    name: 'fromHost: host port changed -> update the Service and the slice',
    mapping: fromHostMapping,
    source: hostPortChanged,
    ...inSyncFromHost,
    expected: {
      state: 'pending',
      actions: ['update Service default/pg', 'update EndpointSlice default/pg-ipv4'],
      objects: {
        'update Service default/pg': {
          metadata: { uid: 'uid-target-pg', resourceVersion: '42' },
          spec: { clusterIP: 'None', ports: [{ port: 5433 }] },
        },
        'update EndpointSlice default/pg-ipv4': { metadata: { resourceVersion: '42' }, ports: [{ port: 5433 }] },
      },
    },
  },
  {
    name: 'fromHost: dual-stack host Service -> one slice per family',
    mapping: fromHostMapping,
    source: hostDualStack,
    expected: {
      state: 'pending',
      actions: ['create Service default/pg', 'create EndpointSlice default/pg-ipv4', 'create EndpointSlice default/pg-ipv6'],
      objects: {
        'create EndpointSlice default/pg-ipv4': { addressType: 'IPv4', endpoints: [{ addresses: ['10.96.0.10'] }] },
        'create EndpointSlice default/pg-ipv6': { addressType: 'IPv6', endpoints: [{ addresses: ['fd00::10'] }] },
      },
    },
  },
  {
    name: 'fromHost: headless host Service -> pod endpoints copied with their readiness',
    mapping: fromHostMapping,
    source: hostHeadless,
    sourceSlices: hostPods,
    target: mirrorOf(fromHostMapping, hostHeadless).target,
    expected: {
      state: 'pending',
      actions: [`create EndpointSlice default/${headlessSliceName}`],
      objects: {
        [`create EndpointSlice default/${headlessSliceName}`]: {
          endpoints: [
            { addresses: ['10.1.0.7'], conditions: { ready: true, serving: true, terminating: false } },
            { addresses: ['10.1.0.8'], conditions: { ready: false, serving: false, terminating: false } },
          ],
        },
      },
    },
  },
  {
    name: 'fromHost: a host endpoint became ready -> update the slice',
    mapping: fromHostMapping,
    source: hostHeadless,
    sourceSlices: hostPodsReady,
    ...mirrorOf(fromHostMapping, hostHeadless, hostPods),
    expected: {
      state: 'pending',
      actions: [`update EndpointSlice default/${headlessSliceName}`],
      objects: {
        [`update EndpointSlice default/${headlessSliceName}`]: {
          metadata: { uid: `uid-${headlessSliceName}`, resourceVersion: '42' },
          endpoints: [{ conditions: { ready: true } }, { conditions: { ready: true } }],
        },
      },
    },
  },
  {
    name: 'fromHost: ExternalName host Service -> ExternalName tenant Service, no slices',
    mapping: fromHostMapping,
    source: hostExternal,
    expected: {
      state: 'pending',
      actions: ['create Service default/pg'],
      objects: {
        'create Service default/pg': {
          spec: { type: 'ExternalName', externalName: 'db.example.com', clusterIP: undefined, ports: [{ port: 5432 }] },
        },
      },
    },
  },
  {
    name: 'fromHost: host became ExternalName -> delete first, recreate, drop our slices',
    mapping: fromHostMapping,
    source: hostExternal,
    ...inSyncFromHost,
    expected: {
      state: 'pending',
      actions: ['delete Service default/pg', 'create Service default/pg', 'delete EndpointSlice default/pg-ipv4'],
      message: /changes from headless to ExternalName/,
      objects: {
        'delete Service default/pg': { uid: 'uid-target-pg', resourceVersion: '42' },
        'delete EndpointSlice default/pg-ipv4': { uid: 'uid-pg-ipv4', resourceVersion: '42' },
      },
    },
  },
  {
    name: 'fromHost: target exists and is not ours -> conflict, untouched',
    mapping: fromHostMapping,
    source: hostClusterIP,
    target: usersOwnService,
    targetSlices: [foreignSlice],
    expected: {
      state: 'conflict',
      actions: [],
      message: /^tenant Service default\/pg exists and is not managed by service-replicator; left untouched\. To replicate here, delete that Service or give this mapping another target$/,
    },
  },
  {
    name: 'fromHost: target belongs to another tenant -> conflict naming that tenant',
    mapping: fromHostMapping,
    source: hostClusterIP,
    target: mirrorOf({ ...fromHostMapping, tenant: 'green' }, hostClusterIP).target,
    expected: { state: 'conflict', actions: [], message: /managed by service-replicator for tenant green; left untouched/ },
  },
  {
    name: 'fromHost: source deleted -> delete our tenant Service, then our slices',
    mapping: fromHostMapping,
    ...inSyncFromHost,
    expected: {
      state: 'pending',
      actions: ['delete Service default/pg', 'delete EndpointSlice default/pg-ipv4'],
      message: /host Service db\/postgres does not exist/,
      objects: { 'delete Service default/pg': { uid: 'uid-target-pg', resourceVersion: '42' } },
    },
  },
  {
    name: 'fromHost: source deleted, target not ours -> nothing touched',
    mapping: fromHostMapping,
    target: usersOwnService,
    targetSlices: [foreignSlice],
    expected: { state: 'in-sync', actions: [], message: /tenant Service default\/pg is not managed by service-replicator; left untouched/ },
  },
  {
    name: 'fromHost: Service gone, our slices left -> delete them, never the foreign one',
    mapping: fromHostMapping,
    targetSlices: [...inSyncFromHost.targetSlices, foreignSlice],
    expected: { state: 'pending', actions: ['delete EndpointSlice default/pg-ipv4'] },
  },
  {
    name: 'fromHost: desired slice set empty -> delete ours, keep the foreign one',
    mapping: fromHostMapping,
    source: hostExternal,
    target: mirrorOf(fromHostMapping, hostExternal).target,
    targetSlices: [...inSyncFromHost.targetSlices, foreignSlice],
    expected: { state: 'pending', actions: ['delete EndpointSlice default/pg-ipv4'] },
  },
  {
    name: 'fromHost: mapping removed -> delete the tenant Service and slices',
    key: keyOf(fromHostMapping),
    source: hostClusterIP,
    ...inSyncFromHost,
    expected: {
      state: 'pending',
      actions: ['delete Service default/pg', 'delete EndpointSlice default/pg-ipv4'],
      message: /^mapping removed from config; 2 action\(s\) pending; next: delete tenant Service default\/pg$/,
    },
  },
  {
    name: "fromHost: our slices on a user's Service of the target name -> conflict, and our slices are deleted",
    mapping: fromHostMapping,
    source: hostClusterIP,
    target: usersOwnService,
    targetSlices: [...inSyncFromHost.targetSlices, foreignSlice],
    expected: {
      state: 'conflict',
      actions: ['delete EndpointSlice default/pg-ipv4'],
      message: /is not managed by service-replicator; left untouched; our EndpointSlices on it are deleted\./,
    },
  },
  {
    name: 'fromHost: our direction label edited by hand -> drift, restored (not a conflict)',
    mapping: fromHostMapping,
    source: hostClusterIP,
    target: {
      ...inSyncFromHost.target,
      metadata: {
        ...inSyncFromHost.target.metadata,
        labels: { ...inSyncFromHost.target.metadata?.labels, 'replicator.service-replicator.io/direction': 'hand-edited' },
      },
    },
    targetSlices: inSyncFromHost.targetSlices,
    expected: {
      state: 'pending',
      actions: ['update Service default/pg'],
      objects: { 'update Service default/pg': { metadata: { labels: { 'replicator.service-replicator.io/direction': 'fromHost' } } } },
    },
  },
  {
    name: 'fromHost: our slice lost its owner reference -> updated to point at the mirror',
    mapping: fromHostMapping,
    source: hostClusterIP,
    target: inSyncFromHost.target,
    targetSlices: inSyncFromHost.targetSlices.map((slice) => ({ ...slice, metadata: { ...slice.metadata, ownerReferences: undefined } })),
    expected: {
      state: 'pending',
      actions: ['update EndpointSlice default/pg-ipv4'],
      objects: { 'update EndpointSlice default/pg-ipv4': { metadata: { ownerReferences: [{ kind: 'Service', name: 'pg', uid: 'uid-target-pg' }] } } },
    },
  },
  {
    name: 'fromHost: mapping removed, target not ours -> nothing touched',
    key: keyOf(fromHostMapping),
    target: usersOwnService,
    expected: { state: 'in-sync', actions: [], message: /left untouched/ },
  },
];

describe('planReconcile fromHost', () => runPlanCases(cases));
