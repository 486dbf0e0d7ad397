import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import type { PassOutcome } from './reconciler';
import { ReconcileMetrics } from './reconcile-metrics';

const parts = { tenant: 'a', direction: 'fromHost', target: { namespace: 'default', name: 'db' } } as PassOutcome['parts'];
const outcome = (state: PassOutcome['state'], wrote?: string): PassOutcome => ({ key: 'a/fromHost/default/db', parts, state, message: '', wrote });

async function values(registry: Registry, name: string): Promise<Record<string, number>> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return Object.fromEntries((metric?.values ?? []).map((v) => [`${(v as { metricName?: string }).metricName ?? name}${JSON.stringify(v.labels)}`, v.value]));
}

describe('ReconcileMetrics', () => {
  it('counts passes by outcome and observes the lag only for passes that wrote', async () => {
    const registry = new Registry();
    const metrics = new ReconcileMetrics(registry);
    metrics.passed(outcome('pending', 'update tenant a Service default/db'), 1_000, 1_250);
    metrics.passed(outcome('in-sync'), 1_000, 1_300);
    metrics.passed(outcome('conflict'), 1_000, 1_300);
    metrics.failed('fromHost', 'write-conflict');
    const passes = await values(registry, 'replicator_reconciles_total');
    assert.equal(passes['replicator_reconciles_total{"direction":"fromHost","outcome":"pending"}'], 1);
    assert.equal(passes['replicator_reconciles_total{"direction":"fromHost","outcome":"in-sync"}'], 1);
    assert.equal(passes['replicator_reconciles_total{"direction":"fromHost","outcome":"write-conflict"}'], 1);
    const lag = await values(registry, 'replicator_replication_lag_seconds');
    assert.equal(lag['replicator_replication_lag_seconds_count{"direction":"fromHost"}'], 1);
    assert.equal(lag['replicator_replication_lag_seconds_sum{"direction":"fromHost"}'], 0.25);
    const conflicts = await values(registry, 'replicator_conflicts_total');
    assert.equal(conflicts['replicator_conflicts_total{"direction":"fromHost","kind":"ownership"}'], 1);
    assert.equal(conflicts['replicator_conflicts_total{"direction":"fromHost","kind":"write"}'], 1);
  });
});
