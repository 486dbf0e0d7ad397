import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1EndpointSlice, V1Endpoints, V1Service } from '@kubernetes/client-node';
import type { Mapping, TenantSpec } from '@service-replicator/replication-config';
import type { Action } from './reconcile-actions';
import { planReconcile, type ReconcilePlan } from './reconcile-plan';
import { controllerSlice, endpoint, fromHostMapping, service, tcp5432, tenantSpec, toHostMapping } from './service.fixtures';

/**
 * The target cluster as the writer sees it, enforcing what the API server enforces for us:
 * names are unique, updates and deletes carry the resourceVersion read, clusterIP is immutable.
 */
class FakeTargetCluster {
  readonly services = new Map<string, V1Service>();
  readonly slices = new Map<string, V1EndpointSlice>();
  readonly endpoints = new Map<string, V1Endpoints>();
  private version = 1;

  apply(action: Action): void {
    const stores = { Service: this.services, EndpointSlice: this.slices, Endpoints: this.endpoints };
    const store: Map<string, V1Service | V1EndpointSlice | V1Endpoints> = stores[action.kind];
    if (action.verb === 'delete') {
      const current = store.get(action.name);
      assert.ok(current, `delete of missing ${action.name}`);
      assert.equal(action.resourceVersion, current.metadata?.resourceVersion, 'delete precondition');
      store.delete(action.name);
      return;
    }
    const name = action.object.metadata?.name ?? '';
    const current = store.get(name);
    if (action.verb === 'create') assert.equal(current, undefined, `409: ${name} already exists`);
    else assert.equal(action.object.metadata?.resourceVersion, current?.metadata?.resourceVersion, '409 on update');
    if (action.kind === 'Service' && current && 'spec' in current) {
      assert.equal(action.object.spec?.clusterIP, current.spec?.clusterIP, 'clusterIP is immutable');
    }
    store.set(name, this.stored(structuredClone(action.object), current?.metadata?.uid));
  }

  private stored<T extends V1Service | V1EndpointSlice | V1Endpoints>(object: T, uid?: string): T {
    object.metadata = { ...object.metadata, uid: uid ?? `uid-${this.version}`, resourceVersion: String(++this.version) };
    if ('spec' in object && object.spec && object.spec.type !== 'ExternalName' && !object.spec.clusterIP) {
      object.spec.clusterIP = '10.96.50.50';
    }
    return object;
  }
}

interface World {
  mapping?: Mapping;
  readonly key: Mapping;
  tenant?: TenantSpec;
  source?: V1Service;
  sourceSlices: V1EndpointSlice[];
  readonly cluster: FakeTargetCluster;
}

function plan(world: World): ReconcilePlan {
  const { key, cluster } = world;
  return planReconcile({
    mapping: world.mapping,
    key: { tenant: key.tenant, direction: key.direction, target: key.target },
    tenant: world.tenant,
    source: world.source,
    sourceSlices: world.sourceSlices,
    target: cluster.services.get(key.target.name),
    targetSlices: [...cluster.slices.values()],
    targetEndpoints: cluster.endpoints.get(key.target.name),
    tenantPods: new Set(['10.244.0.9']),
  });
}

/** What the writer does: one write per pass, plan again, until nothing is left to do. */
function converge(world: World, maxPasses = 10, afterEachWrite: () => void = () => undefined): number {
  for (let pass = 0; pass < maxPasses; pass++) {
    const next = plan(world);
    if (next.actions.length === 0) return pass;
    world.cluster.apply(next.actions[0]);
    afterEachWrite();
  }
  assert.fail(`did not converge in ${maxPasses} passes: ${plan(world).message}`);
}

const hostService = service('db', 'postgres', { clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10', 'fd00::10'], ports: [tcp5432] });

describe('executing only the first action per pass converges', () => {
  it('fromHost: create, change to headless, delete, leaving a foreign slice alone', () => {
    const cluster = new FakeTargetCluster();
    const foreign = controllerSlice('default', 'pg', 'pg-users', [endpoint('10.244.9.9')]);
    cluster.slices.set('pg-users', foreign);
    const world: World = { mapping: fromHostMapping, key: fromHostMapping, source: hostService, sourceSlices: [], cluster };

    assert.equal(converge(world), 3);
    assert.deepEqual([...cluster.slices.keys()].sort(), ['pg-ipv4', 'pg-ipv6', 'pg-users']);
    assert.equal(plan(world).state, 'in-sync');

    world.source = service('db', 'postgres', { type: 'ExternalName', externalName: 'db.example.com' });
    assert.equal(converge(world), 4);
    assert.equal(cluster.services.get('pg')?.spec?.type, 'ExternalName');
    assert.deepEqual([...cluster.slices.keys()], ['pg-users']);

    world.mapping = undefined;
    assert.equal(converge(world), 1);
    assert.equal(cluster.services.size, 0);
    assert.deepEqual(cluster.slices.get('pg-users'), foreign);
  });

  it('toHost: headless change recreates the host Service; endpoints mode mirrors slices', () => {
    const cluster = new FakeTargetCluster();
    const tenantWeb = service('shop', 'web', { clusterIP: '10.0.0.5', selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }] });
    const world: World = { mapping: toHostMapping, key: toHostMapping, tenant: tenantSpec(), source: tenantWeb, sourceSlices: [], cluster };

    assert.equal(converge(world), 1);
    world.source = service('shop', 'web', { ...tenantWeb.spec, clusterIP: 'None' });
    assert.equal(converge(world), 2);
    assert.equal(cluster.services.get('blue-web')?.spec?.clusterIP, 'None');

    world.tenant = tenantSpec('endpoints');
    world.sourceSlices = [controllerSlice('shop', 'web', 'web-a', [endpoint('10.244.0.9')])];
    assert.equal(converge(world), 2);
    assert.equal(cluster.services.get('blue-web')?.spec?.selector, undefined);
    assert.equal(cluster.slices.size, 1);

    world.mapping = undefined;
    assert.equal(converge(world), 0);
    assert.equal(cluster.services.size, 1);
  });

  it("adopting vCluster's mirror: after every single write the name still has a ready address", () => {
    const cluster = new FakeTargetCluster();
    const vcluster = { 'vcluster.loft.sh/controlled-by': 'vcluster' };
    const mirror = service('default', 'pg', { clusterIP: 'None', ports: [tcp5432] });
    cluster.services.set('pg', { ...mirror, metadata: { ...mirror.metadata, labels: vcluster } });
    const subsets = [{ addresses: [{ ip: '10.96.0.10' }], ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] }];
    cluster.endpoints.set('pg', { metadata: { name: 'pg', namespace: 'default', uid: 'uid-ep', resourceVersion: '1', labels: vcluster }, subsets });
    const singleStack = service('db', 'postgres', { clusterIP: '10.96.0.10', ports: [tcp5432] });
    const tenant = { ...tenantSpec(), adoptVClusterMirrors: true };
    const world: World = { mapping: fromHostMapping, key: fromHostMapping, tenant, source: singleStack, sourceSlices: [], cluster };
    // What CoreDNS serves: our slices, plus the slices the mirroring controller makes of Endpoints without skip-mirror.
    const served = () => [
      ...[...cluster.slices.values()].flatMap((slice) => slice.endpoints.filter((e) => e.conditions?.ready !== false).flatMap((e) => e.addresses)),
      ...[...cluster.endpoints.values()]
        .filter((ep) => ep.metadata?.labels?.['endpointslice.kubernetes.io/skip-mirror'] !== 'true')
        .flatMap((ep) => (ep.subsets ?? []).flatMap((subset) => (subset.addresses ?? []).map((address) => address.ip))),
    ];
    const seen: number[] = [];
    assert.equal(converge(world, 10, () => seen.push(new Set(served()).size)), 3);
    assert.deepEqual(seen, [1, 1, 1]);
    assert.equal(cluster.services.get('pg')?.metadata?.labels?.['vcluster.loft.sh/controlled-by'], undefined);
    assert.equal(cluster.endpoints.size, 0);

    world.tenant = { ...tenant, endpoints: true };
    assert.equal(converge(world), 1);
    assert.deepEqual(cluster.endpoints.get('pg')?.subsets, subsets);
    world.mapping = undefined;
    assert.equal(converge(world), 3);
    assert.equal(cluster.endpoints.size + cluster.slices.size + cluster.services.size, 0);
  });
});
