import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mappingKeyOf } from './mapping-key';
import type { Mapping } from './model';
import { mappingsInForce, nextDeadline, planFromConfig, planRetirement, planTenant, type TenantPublication } from './publication-plan';
import { TEST_TENANT } from './test-tenant.fixtures';

const tenant = TEST_TENANT;
const NOW = Date.parse('2026-01-01T00:00:00.000Z');
const GRACE = 30_000;
const at = (ms: number) => new Date(NOW + ms).toISOString();

function fromHost(name: string, source = `shared/${name}`): Mapping {
  const [namespace, sourceName] = source.split('/');
  return { tenant: tenant.name, direction: 'fromHost', source: { namespace, name: sourceName }, target: { namespace: 'default', name } };
}
const db = fromHost('db');
const web = fromHost('web');
const key = mappingKeyOf;

function published(mappings: Mapping[], extras: Partial<TenantPublication> = {}): TenantPublication {
  return { tenant, mappings, ...extras };
}

describe('planTenant', () => {
  it('publishes a first config whole and reconciles every key', () => {
    const plan = planTenant({ tenant, mappings: [db, web], now: NOW, graceMs: GRACE });
    assert.deepEqual(plan.next, { tenant, mappings: [db, web] });
    assert.deepEqual(plan.keys, [key(db), key(web)]);
  });

  it('publishes nothing when Redis already holds the config', () => {
    const plan = planTenant({ published: published([web, db]), tenant, mappings: [db, web], now: NOW, graceMs: GRACE });
    assert.equal(plan.next, undefined);
    assert.deepEqual(plan.keys, []);
  });

  it('keeps a removed entry published until its grace ends, and reconciles nothing yet', () => {
    const plan = planTenant({ published: published([db, web]), tenant, mappings: [db], now: NOW, graceMs: GRACE });
    assert.deepEqual(plan.next, { tenant, mappings: [db, web], pendingRemovals: { [key(web)]: at(GRACE) } });
    assert.deepEqual(plan.keys, []);
    assert.deepEqual(plan.removalsStarted, [web]);
  });

  it('changes nothing while the recorded grace runs', () => {
    const state = published([db, web], { pendingRemovals: { [key(web)]: at(5_000) } });
    assert.equal(planTenant({ published: state, tenant, mappings: [db], now: NOW, graceMs: GRACE }).next, undefined);
  });

  it('removes the mapping once its deadline has passed, and reconciles its key', () => {
    const state = published([db, web], { pendingRemovals: { [key(web)]: at(0) } });
    const plan = planTenant({ published: state, tenant, mappings: [db], now: NOW, graceMs: GRACE });
    assert.deepEqual(plan.next, { tenant, mappings: [db] });
    assert.deepEqual(plan.keys, [key(web)]);
    assert.deepEqual(plan.removed, [web]);
  });

  it('an entry put back during its grace cancels the removal; its mirror is not touched', () => {
    const state = published([db, web], { pendingRemovals: { [key(web)]: at(1_000) } });
    const plan = planTenant({ published: state, tenant, mappings: [db, web], now: NOW, graceMs: GRACE });
    assert.deepEqual(plan.next, { tenant, mappings: [db, web] });
    assert.deepEqual(plan.keys, []);
    assert.deepEqual(plan.removalsCancelled, [web]);
  });

  it('an entry put back with another source cancels the removal and is reconciled as changed', () => {
    const moved = fromHost('web', 'other/web');
    const state = published([db, web], { pendingRemovals: { [key(web)]: at(1_000) } });
    const plan = planTenant({ published: state, tenant, mappings: [db, moved], now: NOW, graceMs: GRACE });
    assert.deepEqual(plan.next, { tenant, mappings: [db, moved] });
    assert.deepEqual(plan.keys, [key(moved)]);
    assert.deepEqual(plan.changed, [moved]);
  });

  it('with no grace, removes at once', () => {
    const plan = planTenant({ published: published([db, web]), tenant, mappings: [db], now: NOW, graceMs: 0 });
    assert.deepEqual(plan.next, { tenant, mappings: [db] });
    assert.deepEqual(plan.keys, [key(web)]);
  });

  it('never shortens a recorded grace, even when the setting became shorter', () => {
    const state = published([db, web], { pendingRemovals: { [key(web)]: at(20_000) } });
    assert.equal(planTenant({ published: state, tenant, mappings: [db], now: NOW, graceMs: 0 }).next, undefined);
  });

  it('starts a new grace for an unreadable recorded deadline', () => {
    const state = published([db, web], { pendingRemovals: { [key(web)]: 'soon' } });
    const plan = planTenant({ published: state, tenant, mappings: [db], now: NOW, graceMs: GRACE });
    assert.deepEqual(plan.next?.pendingRemovals, { [key(web)]: at(GRACE) });
  });

  it('a changed tenant spec reconciles every key', () => {
    const moved = { ...tenant, hostNamespace: 'vc-b' };
    const plan = planTenant({ published: published([db, web]), tenant: moved, mappings: [db, web], now: NOW, graceMs: GRACE });
    assert.deepEqual(plan.next, { tenant: moved, mappings: [db, web] });
    assert.deepEqual(plan.keys, [key(db), key(web)]);
  });
});

describe('planFromConfig', () => {
  it('a refused config keeps the last good one in force; only deadlines move on', () => {
    const state = published([db, web], { pendingRemovals: { [key(web)]: at(0) } });
    const plan = planFromConfig({ published: state, tenant, mappings: undefined, now: NOW, graceMs: GRACE });
    assert.deepEqual(plan?.next, { tenant, mappings: [db] });
    assert.deepEqual(plan?.keys, [key(web)]);
  });

  it('a refused config with nothing published does nothing', () => {
    assert.equal(planFromConfig({ tenant, mappings: undefined, now: NOW, graceMs: GRACE }), undefined);
  });

  it('Redis lost the published state: what was published last is published again, deadlines and all, every key reconciled', () => {
    const remembered = published([db, web], { pendingRemovals: { [key(web)]: at(9_000) } });
    const refused = planFromConfig({ remembered, tenant, mappings: undefined, now: NOW, graceMs: GRACE });
    assert.deepEqual(refused?.next, remembered);
    assert.deepEqual(refused?.keys, [key(db), key(web)]);
    const accepted = planFromConfig({ remembered, tenant, mappings: [db], now: NOW, graceMs: GRACE });
    assert.deepEqual(accepted?.next, remembered);
  });
});

describe('planRetirement', () => {
  it('a tenant gone from the tenants file keeps its mappings for the grace', () => {
    const plan = planRetirement({ published: published([db, web]), now: NOW, graceMs: GRACE });
    assert.deepEqual(plan?.next, { tenant, mappings: [db, web], retireAt: at(GRACE) });
    assert.deepEqual(plan?.keys, []);
  });

  it('then removes them all', () => {
    const plan = planRetirement({ published: published([db, web], { retireAt: at(0) }), now: NOW, graceMs: GRACE });
    assert.deepEqual(plan?.next, { tenant, mappings: [] });
    assert.deepEqual(plan?.keys, [key(db), key(web)]);
  });

  it('a retired tenant stays as it is', () => {
    assert.equal(planRetirement({ published: published([]), now: NOW, graceMs: GRACE })?.next, undefined);
  });

  it('a tenant back in the tenants file is published again, its retirement cancelled', () => {
    const plan = planTenant({ published: published([db], { retireAt: at(5_000) }), tenant, mappings: [db], now: NOW, graceMs: GRACE });
    assert.deepEqual(plan.next, { tenant, mappings: [db] });
    const retired = planTenant({ published: published([]), tenant, mappings: [db], now: NOW, graceMs: GRACE });
    assert.deepEqual(retired.next, { tenant, mappings: [db] });
    assert.deepEqual(retired.keys, [key(db)]);
  });
});

describe('mappingsInForce and nextDeadline', () => {
  it('in force: what is published less what waits for removal; the earliest deadline', () => {
    const state = published([db, web], { pendingRemovals: { [key(web)]: at(9_000) }, retireAt: at(4_000) });
    assert.deepEqual(mappingsInForce(state), [db]);
    assert.equal(nextDeadline(state), NOW + 4_000);
    assert.equal(nextDeadline(published([db])), undefined);
  });
});
