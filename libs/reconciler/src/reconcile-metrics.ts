import type { Direction } from '@service-replicator/replication-config';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { PassOutcome } from './reconciler';

/** How a pass that threw ended: a lost write race (retried in 1 s), a retry with backoff, or given up. */
export type PassFailure = 'write-conflict' | 'retry' | 'gave-up';

/**
 * The writer's metrics: passes by outcome, the replication lag (change first seen by a watcher or
 * config-watcher -> the write that carried it out) and conflicts, by direction.
 */
export class ReconcileMetrics {
  private readonly passes: Counter<'direction' | 'outcome'>;
  private readonly lag: Histogram<'direction'>;
  private readonly conflicts: Counter<'direction' | 'kind'>;
  private readonly dropped: Counter<'direction'>;

  constructor(registry: Registry) {
    this.passes = new Counter({
      name: 'replicator_reconciles_total',
      help: 'Reconcile passes by outcome: the state they left (in-sync, pending, conflict, error, kept) or how they failed',
      labelNames: ['direction', 'outcome'],
      registers: [registry],
    });
    this.lag = new Histogram({
      name: 'replicator_replication_lag_seconds',
      help: 'From the moment a change was first seen (job seenAt) to the write of the target that carried it out',
      labelNames: ['direction'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    });
    this.conflicts = new Counter({
      name: 'replicator_conflicts_total',
      help: 'Conflicts: ownership (a target we may not touch) and write (409, another writer changed it first)',
      labelNames: ['direction', 'kind'],
      registers: [registry],
    });
    this.dropped = new Counter({
      name: 'replicator_dropped_endpoints_total',
      help: "Endpoint addresses left out of host mirrors because they are not the tenant's own pods, counted by every pass that leaves them out",
      labelNames: ['direction'],
      registers: [registry],
    });
  }

  passed(outcome: PassOutcome, seenAt: number, now = Date.now()): void {
    const direction = outcome.parts.direction;
    this.passes.inc({ direction, outcome: outcome.state });
    if (outcome.state === 'conflict') this.conflicts.inc({ direction, kind: 'ownership' });
    if (outcome.wrote) this.lag.observe({ direction }, Math.max(0, now - seenAt) / 1000);
    if (outcome.dropped) this.dropped.inc({ direction }, outcome.dropped.addresses.length);
  }

  failed(direction: Direction | 'unknown', failure: PassFailure): void {
    this.passes.inc({ direction, outcome: failure });
    if (failure === 'write-conflict') this.conflicts.inc({ direction, kind: 'write' });
  }
}
