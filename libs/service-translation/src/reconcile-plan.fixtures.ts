// Helpers for the reconcile table tests (not exported from the lib).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { it } from 'node:test';
import type { V1EndpointSlice, V1Endpoints, V1Service } from '@kubernetes/client-node';
import type { Mapping, TenantSpec } from '@service-replicator/replication-config';
import { ownedBy } from './endpoint-slice.factory';
import { buildHostEndpointSlices } from './host-endpoint-slices.builder';
import { buildHostService } from './host-service.builder';
import type { Action } from './reconcile-actions';
import { planReconcile, type PlanState, type ReconcileKey } from './reconcile-plan';
import { fromHostMapping, stored } from './service.fixtures';
import { buildTenantEndpointSlices } from './tenant-endpoint-slices.builder';
import { buildTenantService } from './tenant-service.builder';

export interface Mirror {
  readonly target: V1Service;
  readonly targetSlices: V1EndpointSlice[];
}

/** The target objects as an earlier pass left them for `source`: built, then stored by the server. */
export function mirrorOf(
  mapping: Mapping,
  source: V1Service,
  sourceSlices: V1EndpointSlice[] = [],
  tenant?: TenantSpec,
): Mirror {
  const fromHost = mapping.direction === 'fromHost';
  if (!fromHost && !tenant) throw new Error('a toHost mirror needs the TenantSpec');
  const service = tenant && !fromHost ? buildHostService(source, mapping, tenant) : buildTenantService(source, mapping);
  const slices = fromHost
    ? buildTenantEndpointSlices(source, sourceSlices, mapping)
    : tenant?.toHostMode === 'endpoints'
      ? buildHostEndpointSlices(source, sourceSlices, mapping)
      : [];
  const allocated = service.spec?.clusterIP === 'None' || service.spec?.type === 'ExternalName' ? {} : { clusterIP: '10.96.9.9' };
  const target = stored(service, `uid-target-${mapping.target.name}`, allocated);
  return { target, targetSlices: slices.map((slice) => stored(ownedBy(slice, target), `uid-${slice.metadata?.name}`)) };
}

/** "create Service default/pg" */
export function summary(action: Action): string {
  const metadata = action.verb === 'delete' ? action : action.object.metadata;
  return `${action.verb} ${action.kind} ${metadata?.namespace}/${metadata?.name}`;
}

/**
 * Asserts that `actual` holds every field of `expected`: objects by subset, arrays element by
 * element with the same length, and `undefined` meaning "absent".
 */
export function assertHolds(actual: unknown, expected: unknown, path = '$'): void {
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path}: expected an array, got ${JSON.stringify(actual)}`);
    assert.equal(actual.length, expected.length, `${path}: length`);
    expected.forEach((item, index) => assertHolds(actual[index], item, `${path}[${index}]`));
  } else if (expected !== null && typeof expected === 'object') {
    assert.ok(actual !== null && typeof actual === 'object', `${path}: expected an object, got ${JSON.stringify(actual)}`);
    for (const [key, value] of Object.entries(expected)) {
      assertHolds((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
    }
  } else {
    assert.deepEqual(actual, expected, path);
  }
}

/** One vCluster-style case: both clusters as read, the key, and the plan expected from them. */
export interface PlanCase {
  readonly name: string;
  readonly mapping?: Mapping;
  /** Defaults to the mapping's (or, with no mapping, fromHostMapping's) tenant/direction/target. */
  readonly key?: ReconcileKey;
  readonly tenant?: TenantSpec;
  readonly source?: V1Service;
  readonly sourceSlices?: V1EndpointSlice[];
  readonly target?: V1Service;
  readonly targetSlices?: V1EndpointSlice[];
  readonly targetEndpoints?: V1Endpoints;
  readonly tenantPods?: ReadonlySet<string>;
  readonly refusal?: string;
  readonly expected: {
    readonly state: PlanState;
    /** `<verb> <kind> <namespace>/<name>` in execution order. */
    readonly actions: string[];
    readonly message?: RegExp;
    /** Fields the action's object (or the delete action itself) must hold, by action summary. */
    readonly objects?: Record<string, unknown>;
    /** Addresses the plan leaves out (toHost endpoints mode); none when absent. */
    readonly dropped?: string[];
  };
}

export function keyOf(mapping: Mapping): ReconcileKey {
  return { tenant: mapping.tenant, direction: mapping.direction, target: mapping.target };
}

export function hash8(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/** Runs each case as one test: plan from the case's clusters, compare with its expectations. */
export function runPlanCases(cases: readonly PlanCase[]): void {
  for (const testCase of cases) {
    it(testCase.name, () => {
      const plan = planReconcile({
        mapping: testCase.mapping,
        key: testCase.key ?? keyOf(testCase.mapping ?? fromHostMapping),
        tenant: testCase.tenant,
        source: testCase.source,
        sourceSlices: testCase.sourceSlices ?? [],
        target: testCase.target,
        targetSlices: testCase.targetSlices ?? [],
        targetEndpoints: testCase.targetEndpoints,
        tenantPods: testCase.tenantPods,
        refusal: testCase.refusal,
      });
      const { expected } = testCase;
      assert.deepEqual({ state: plan.state, actions: plan.actions.map(summary) }, { state: expected.state, actions: expected.actions });
      if (expected.message) assert.match(plan.message, expected.message);
      assert.deepEqual(plan.dropped ?? [], expected.dropped ?? []);
      for (const [actionSummary, fields] of Object.entries(expected.objects ?? {})) {
        const action = plan.actions.find((candidate) => summary(candidate) === actionSummary);
        assert.ok(action, `no action ${actionSummary}`);
        assertHolds(action.verb === 'delete' ? action : action.object, fields);
      }
    });
  }
}
