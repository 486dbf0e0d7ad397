import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { mappingKeyOf } from './mapping-key';
import type { Mapping } from './model';
import { planFromConfig, type TenantPublication } from './publication-plan';
import { TEST_TENANT } from './test-tenant.fixtures';

/**
 * config-watcher's decision, run over random histories of config reads (accepted, refused),
 * clock steps, Redis losing its data and config-watcher restarting: whatever happens, the last
 * good config is in force, and a mapping is only removed (its mirror deleted) after its entry has
 * been out of every accepted config for the whole grace. config-watcher decides from what Redis
 * holds, or, when Redis lost it, from what it published last (kept in memory).
 */

const GRACE = 30_000;
const tenant = TEST_TENANT;

function mapping(index: number, variant: number): Mapping {
  return {
    tenant: tenant.name,
    direction: index % 2 === 0 ? 'fromHost' : 'toHost',
    source: { namespace: variant === 0 ? 'shared' : 'other', name: `svc-${index}` },
    target: { namespace: index % 2 === 0 ? 'default' : 'vc-a', name: `svc-${index}` },
  };
}

type Step =
  | { readonly kind: 'accepted'; readonly entries: readonly { index: number; variant: number }[]; readonly after: number }
  | { readonly kind: 'refused'; readonly after: number }
  | { readonly kind: 'redis-lost'; readonly after: number }
  | { readonly kind: 'restart'; readonly after: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('accepted' as const),
      entries: fc.uniqueArray(fc.record({ index: fc.nat(5), variant: fc.nat(1) }), { selector: (entry) => entry.index, maxLength: 6 }),
      after: fc.nat(45_000),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('refused' as const), after: fc.nat(45_000) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('redis-lost' as const), after: fc.nat(45_000) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('restart' as const), after: fc.nat(45_000) }) },
);

/** What an observer knows: the last accepted config, and since when each key has been out of it. */
class Model {
  lastGood: Mapping[] | undefined;
  readonly outSince = new Map<string, number>();
  content: Mapping[] | undefined;

  read(step: Step, now: number): void {
    if (step.kind === 'accepted') {
      this.content = step.entries.map(({ index, variant }) => mapping(index, variant));
      const keys = new Set(this.content.map(mappingKeyOf));
      for (const old of this.lastGood ?? []) if (!keys.has(mappingKeyOf(old)) && !this.outSince.has(mappingKeyOf(old))) this.outSince.set(mappingKeyOf(old), now);
      for (const key of keys) this.outSince.delete(key);
      this.lastGood = this.content;
    } else if (step.kind === 'refused') {
      this.content = undefined;
    }
  }
}

describe('config-watcher decision over random histories', () => {
  it('the last good config is in force; removals only after a whole grace out of every accepted config', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 25 }), (steps) => {
        const model = new Model();
        let redis: TenantPublication | undefined;
        let remembered: TenantPublication | undefined;
        let now = Date.parse('2026-01-01T00:00:00Z');
        for (const current of steps) {
          now += current.after;
          if (current.kind === 'redis-lost') redis = undefined;
          if (current.kind === 'restart') remembered = undefined;
          model.read(current, now);
          const plan = planFromConfig({ published: redis, remembered, tenant, mappings: model.content, now, graceMs: GRACE });
          for (const removed of plan?.removed ?? []) {
            const key = mappingKeyOf(removed);
            const since = model.outSince.get(key);
            assert.ok(since !== undefined, `${key} removed while in the last good config`);
            assert.ok(now - since >= GRACE, `${key} removed ${now - since} ms after it left the config`);
          }
          if (plan?.next) redis = remembered = plan.next;
          else remembered = redis;
          if (redis === undefined) continue;
          const inForce = new Map(redis.mappings.map((m) => [mappingKeyOf(m), m]));
          assert.equal(inForce.size, redis.mappings.length, 'one mapping per key');
          for (const good of model.lastGood ?? []) assert.deepEqual(inForce.get(mappingKeyOf(good)), good);
        }
      }),
      { numRuns: 1_000 },
    );
  });
});
