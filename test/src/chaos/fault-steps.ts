import type { AppName, ControlPlane } from '@service-replicator/control-plane-harness';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, TENANT_LABEL, DIRECTION_LABEL } from '@service-replicator/service-translation';
import { sleep, waitFor, type ChaosEnvironment } from './chaos-environment';

/** Sources changed during (or right after) each fault: the mirrors must catch up with them. */
export const CHANGES_PER_FAULT = 5;
/** What `changeSourcePorts(CHANGES_PER_FAULT)` changes, for the table. */
export const CHANGES_TEXT = '5 sources (3 in the host, 2 in tenant b)';

/**
 * Waits until every app's readiness says `want` (503 while a dependency is down, 200 again after);
 * resolves to how long that took, in ms.
 */
export async function readinessBecomes(env: ChaosEnvironment, want: 200 | 503, apps: readonly AppName[], timeoutMs: number): Promise<number> {
  return waitFor(async () => {
    const codes = await env.readiness();
    return apps.every((app) => codes[app] === want);
  }, timeoutMs, `readiness ${want} from ${apps.join(', ')}`);
}

/** Holds a fault for `ms` from `since`, then returns (the fault's length is measured, not slept blindly past). */
export async function holdUntil(since: number, ms: number): Promise<void> {
  const left = since + ms - Date.now();
  if (left > 0) await sleep(left);
}

/** A fromHost mirror of ours whose mapping is gone, as a removal missed during an outage leaves one. */
export async function plantOrphan(env: ChaosEnvironment, name: string): Promise<void> {
  const labels = { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [TENANT_LABEL]: 'a', [DIRECTION_LABEL]: 'fromHost' };
  await env.fx.tenant('a').core.createNamespacedService({ namespace: 'default', body: { metadata: { name, labels }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } } });
  env.writes.ownWrite('services');
}

export async function gone(env: ChaosEnvironment, name: string): Promise<boolean> {
  return env.fx.tenant('a').core.readNamespacedService({ namespace: 'default', name }).then(() => false, (error: { code?: number }) => error.code === 404);
}

/**
 * Advances etcd's revision with writes no watcher follows (a namespace of its own), so that the
 * resourceVersion every informer last saw is older than what `compactEtcd` keeps.
 */
export async function advanceRevision(env: ChaosEnvironment, cluster: ControlPlane, writes: number): Promise<void> {
  const core = cluster === env.fx.host ? env.fx.hostCore : env.fx.tenants.find((t) => t.cluster === cluster)?.core;
  if (!core) throw new Error(`unknown cluster ${cluster.name}`);
  await core.createNamespace({ body: { metadata: { name: 'churn' } } }).then(() => env.writes.ownWrite('namespaces'), () => undefined);
  for (let i = 0; i < writes; i++) {
    await core.createNamespacedConfigMap({ namespace: 'churn', body: { metadata: { name: `c-${Date.now()}-${i}` }, data: { i: String(i) } } });
  }
}
