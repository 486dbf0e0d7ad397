import { Counter, type Registry } from 'prom-client';

/** What the watchers count, by cluster (`host`, `tenant <name>`) and resource. */
export class WatcherMetrics {
  /** client-node's informer stops on any error but 410 Gone; each of our restarts of one is counted. */
  readonly informerRestarts: Counter<'cluster' | 'resource'>;
  readonly events: Counter<'cluster' | 'resource'>;
  /** Watches that expired (410 Gone) and made their informer list again. */
  readonly relists: Counter<'cluster' | 'resource'>;

  constructor(registry: Registry) {
    this.informerRestarts = new Counter({
      name: 'replicator_informer_restarts_total',
      help: 'Informers restarted after a failed list or watch',
      labelNames: ['cluster', 'resource'],
      registers: [registry],
    });
    this.events = new Counter({
      name: 'replicator_watch_events_total',
      help: 'Watch events that concerned at least one mapping (and so enqueued keys)',
      labelNames: ['cluster', 'resource'],
      registers: [registry],
    });
    this.relists = new Counter({
      name: 'replicator_informer_relists_total',
      help: 'Informers that listed again because their watch expired (410 Gone)',
      labelNames: ['cluster', 'resource'],
      registers: [registry],
    });
  }
}
