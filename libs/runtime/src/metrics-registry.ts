import { collectDefaultMetrics, Registry } from 'prom-client';

/** The app's own registry (not prom-client's global one), with Node's process metrics and an `app` label. */
export function createMetricsRegistry(app: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ app });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** The class apps and libs inject to register their metrics. */
export { Registry as MetricsRegistry } from 'prom-client';
