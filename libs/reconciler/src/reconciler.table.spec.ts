import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Service } from '@kubernetes/client-node';
import { HOST_CLUSTER } from '@service-replicator/replication-queue';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, TENANT_LABEL, VCLUSTER_NAMESPACE_LABEL } from '@service-replicator/service-translation';
import { TerminalReconcileError, type PassOutcome } from './reconciler';
import { assertHolds, FROM_HOST, fromHostMirror, service, TO_HOST, World, type WorldSpec } from './reconcile-world.fixtures';

const TENANT_IDENTITY = 'system:serviceaccount:service-replicator:tenant-a';
const OURS = { labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [TENANT_LABEL]: 'a' } };

const PG = { name: 'pg', protocol: 'TCP', port: 5432, targetPort: 5432 };
const hostDb = (port = PG) => service('shared', 'db', { selector: { app: 'db' }, clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [port] });
const tenantWeb = service('default', 'web', { selector: { app: 'web' }, clusterIP: '10.0.0.7', clusterIPs: ['10.0.0.7'], ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }] });

/** One pass, vCluster style: both clusters before, the key, the outcome, the writes, both clusters after. */
interface Case extends WorldSpec {
  readonly name: string;
  readonly key: typeof FROM_HOST;
  /** What the pass returns, as a subset; or what it throws. */
  readonly outcome?: Partial<Record<keyof PassOutcome, unknown>>;
  readonly throws?: (error: unknown) => boolean;
  readonly writes: { readonly host?: readonly string[]; readonly tenant?: readonly string[] };
  /** Objects afterwards, as subsets; `undefined`: absent. */
  readonly after: { readonly host?: Record<string, unknown>; readonly tenant?: Record<string, unknown> };
}

const CASES: readonly Case[] = [
  {
    name: 'fromHost, source only: the mirror is created (headless, selector-less) with a slice holding the host clusterIP',
    mappings: [FROM_HOST],
    key: FROM_HOST,
    host: { Service: [hostDb()] },
    outcome: { state: 'in-sync' },
    writes: { host: [], tenant: ['create Service default/db', 'create EndpointSlice default/db-ipv4'] },
    after: {
      tenant: {
        'Service default/db': { metadata: OURS, spec: { clusterIP: 'None', selector: undefined, ports: [{ port: 5432 }] } },
        'EndpointSlice default/db-ipv4': { addressType: 'IPv4', endpoints: [{ addresses: ['10.96.0.10'] }], ports: [{ port: 5432 }] },
      },
    },
  },
  {
    name: 'fromHost, source changed: the mirror and its slice are updated in place',
    mappings: [FROM_HOST],
    key: FROM_HOST,
    host: { Service: [hostDb({ ...PG, port: 5433, targetPort: 5433 })] },
    tenant: fromHostMirror(hostDb()),
    outcome: { state: 'in-sync' },
    writes: { tenant: ['update Service default/db', 'update EndpointSlice default/db-ipv4'] },
    after: {
      tenant: {
        'Service default/db': { metadata: { uid: 'uid-mirror-db' }, spec: { ports: [{ port: 5433 }] } },
        'EndpointSlice default/db-ipv4': { ports: [{ port: 5433 }] },
      },
    },
  },
  {
    name: 'fromHost, mirror in sync: nothing is written',
    mappings: [FROM_HOST],
    key: FROM_HOST,
    host: { Service: [hostDb()] },
    tenant: fromHostMirror(hostDb()),
    outcome: { state: 'in-sync', wrote: undefined },
    writes: { host: [], tenant: [] },
    after: { tenant: { 'Service default/db': { metadata: { uid: 'uid-mirror-db' } } } },
  },
  {
    name: 'fromHost, source deleted: the mirror is deleted (its slices go with it)',
    mappings: [FROM_HOST],
    key: FROM_HOST,
    tenant: fromHostMirror(hostDb()),
    outcome: { state: 'pending' },
    writes: { tenant: ['delete Service default/db'] },
    after: { tenant: { 'Service default/db': undefined, 'EndpointSlice default/db-ipv4': undefined } },
  },
  {
    name: 'fromHost, target exists and is not ours: a conflict, nothing touched',
    mappings: [FROM_HOST],
    key: FROM_HOST,
    host: { Service: [hostDb()] },
    tenant: { Service: [service('default', 'db', { selector: { app: 'mine' }, ports: [{ port: 1 }] })] },
    outcome: { state: 'conflict', wrote: undefined },
    writes: { tenant: [] },
    after: { tenant: { 'Service default/db': { spec: { selector: { app: 'mine' } } } } },
  },
  {
    name: 'fromHost, tenant namespace missing: it is created, then the mirror',
    mappings: [{ ...FROM_HOST, target: { namespace: 'apps', name: 'db' } }],
    key: { ...FROM_HOST, target: { namespace: 'apps', name: 'db' } },
    host: { Service: [hostDb()] },
    outcome: { state: 'in-sync' },
    writes: { tenant: ['create Namespace apps', 'create Service apps/db', 'create EndpointSlice apps/db-ipv4'] },
    after: { tenant: { 'Service apps/db': { metadata: OURS } } },
  },
  {
    name: 'fromHost, 404 on update (mirror and slice deleted behind the snapshot): the Service is created again, its slice by the follow-up pass asked for at once',
    mappings: [FROM_HOST],
    key: FROM_HOST,
    host: { Service: [hostDb({ ...PG, port: 5433, targetPort: 5433 })] },
    tenant: fromHostMirror(hostDb()),
    meanwhile: (world) => world.tenant.changeBehind('Service', FROM_HOST.target, 'delete'),
    outcome: { state: 'pending', retryInMs: 0, wrote: /^update tenant a Service default\/db \(gone; to be created again\); create tenant a Service default\/db;/ },
    writes: { tenant: ['create Service default/db'] },
    after: { tenant: { 'Service default/db': { spec: { ports: [{ port: 5433 }] } } } },
  },
  {
    name: 'fromHost, 409 on update (someone changed the mirror after the snapshot): the pass fails with 409, nothing written',
    mappings: [FROM_HOST],
    key: FROM_HOST,
    host: { Service: [hostDb({ ...PG, port: 5433, targetPort: 5433 })] },
    tenant: fromHostMirror(hostDb()),
    meanwhile: (world) => world.tenant.changeBehind('Service', FROM_HOST.target, (svc) => (svc.metadata = { ...svc.metadata, annotations: { edited: 'by hand' } })),
    throws: (error) => (error as { code?: number }).code === 409,
    writes: { tenant: [] },
    after: { tenant: { 'Service default/db': { spec: { ports: [{ port: 5432 }] }, metadata: { annotations: { edited: 'by hand' } } } } },
  },
  {
    name: 'fromHost, 422 on create: a terminal error (not retried), nothing written',
    mappings: [FROM_HOST],
    key: FROM_HOST,
    host: { Service: [hostDb()] },
    meanwhile: (world) => world.tenant.failNext({ verb: 'create', kind: 'Service', code: 422, message: 'Service "db" is invalid: spec.ports: Required value' }),
    throws: (error) => error instanceof TerminalReconcileError && /create tenant a Service default\/db was rejected: Service "db" is invalid/.test(error.message),
    writes: { tenant: [] },
    after: { tenant: { 'Service default/db': undefined } },
  },
  {
    name: 'fromHost, target namespace not listed by its watcher yet: pending, looked at again in 2 s, nothing written',
    mappings: [FROM_HOST],
    key: FROM_HOST,
    host: { Service: [hostDb()] },
    notSynced: ['tenant:default'],
    outcome: { state: 'pending', retryInMs: 2_000, message: 'waiting for the watcher of tenant a namespace default' },
    writes: { tenant: [] },
    after: { tenant: { 'Service default/db': undefined } },
  },
  {
    name: 'fromHost, the tenant may not read the source namespace (403): refused, and what we mirrored from it is removed',
    mappings: [FROM_HOST],
    key: FROM_HOST,
    host: { Service: [hostDb()] },
    tenant: fromHostMirror(hostDb()),
    meanwhile: (world) => world.host.forbid('shared'),
    outcome: { state: 'error', message: /^forbidden: tenant "a" may not read host namespace "shared"/ },
    writes: { host: [], tenant: ['delete Service default/db'] },
    after: { tenant: { 'Service default/db': undefined } },
  },
  {
    name: 'toHost, source only: the host mirror is created in the tenant host namespace, as the tenant, selecting its synced pods',
    mappings: [TO_HOST],
    key: TO_HOST,
    tenant: { Service: [tenantWeb] },
    outcome: { state: 'in-sync' },
    writes: { host: [`create Service vc-a/web as ${TENANT_IDENTITY}`], tenant: [] },
    after: { host: { 'Service vc-a/web': { metadata: OURS, spec: { clusterIP: undefined, ports: [{ port: 80, targetPort: 8080 }], selector: { [VCLUSTER_NAMESPACE_LABEL]: 'default' } } } } },
  },
  {
    name: 'toHost, host namespace missing: an error saying so (retried), nothing created',
    mappings: [TO_HOST],
    key: TO_HOST,
    hostNamespaces: ['shared'],
    tenant: { Service: [tenantWeb] },
    throws: (error) => !(error instanceof TerminalReconcileError) && /host namespace vc-a does not exist; create it or change the toHost target/.test((error as Error).message),
    writes: { host: [] },
    after: { host: { 'Service vc-a/web': undefined } },
  },
];

describe('Reconciler: one pass against in-memory clusters and snapshots', () => {
  for (const testCase of CASES) {
    it(testCase.name, async () => {
      const world = await new World(testCase).build();
      const before = { host: world.host.writes.length, tenant: world.tenant.writes.length };
      const result = await world.reconcile(testCase.key).then(
        (outcome) => ({ outcome }),
        (error: unknown) => ({ error }),
      );
      if (testCase.throws) {
        assert.ok('error' in result, `expected the pass to throw, it returned ${JSON.stringify('outcome' in result && result.outcome.state)}`);
        assert.ok(testCase.throws(result.error), `unexpected error: ${String(result.error)}`);
      } else {
        assert.ok('outcome' in result, `the pass threw: ${String('error' in result && result.error)}`);
        for (const [field, expected] of Object.entries(testCase.outcome ?? {})) {
          const actual = result.outcome[field as keyof PassOutcome];
          if (expected instanceof RegExp) assert.match(String(actual), expected, field);
          else assertHolds(actual, expected, field);
        }
      }
      if (testCase.writes.host) assert.deepEqual(world.host.writes.slice(before.host), testCase.writes.host, 'host writes');
      if (testCase.writes.tenant) assert.deepEqual(world.tenant.writes.slice(before.tenant), testCase.writes.tenant, 'tenant writes');
      for (const [side, objects] of Object.entries(testCase.after)) {
        const cluster = side === 'host' ? world.host : world.tenant;
        for (const [what, expected] of Object.entries(objects ?? {})) {
          const [kind, ref] = what.split(' ');
          const [namespace, name] = ref.split('/');
          assertHolds(cluster.get(kind as 'Service', { namespace, name }), expected, `${side} ${what}`);
        }
      }
    });
  }

  it('leaves the key of a pass that waits for a namespace for its watcher, which enqueues it once it has listed it', async () => {
    const world = await new World({ mappings: [FROM_HOST], host: { Service: [hostDb()] }, notSynced: ['tenant:default'] }).build();
    await world.reconcile(FROM_HOST);
    assert.deepEqual(await world.snapshots.takeWaiting('tenant.a', 'default'), ['a/fromHost/default/db']);
  });

  it('writes its own results into the target snapshot, so the watch echo of the write changes nothing', async () => {
    const world = await new World({ mappings: [FROM_HOST], host: { Service: [hostDb()] } }).build();
    await world.reconcile(FROM_HOST);
    const created = world.tenant.get<V1Service>('Service', FROM_HOST.target);
    assert.ok(created);
    // Let the best-effort snapshot writes land.
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(await world.snapshots.putService('tenant.a', created), false, 'the echo of our own create is already in the snapshot');
    assert.equal((await world.snapshots.read(HOST_CLUSTER, FROM_HOST.source)).service?.metadata?.name, 'db');
  });
});
