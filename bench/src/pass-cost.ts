import { performance } from 'node:perf_hooks';
import type { V1Service } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { grantRoles } from '@service-replicator/control-plane-harness';
import { ClusterRegistry, loadKubeConfig } from '@service-replicator/kube';
import { OutcomeRecorder, Reconciler } from '@service-replicator/reconciler';
import { DEFAULT_TENANT_LIMITS, diffMappings, mappingKeyOf, parseTenantConfig, tenantHostGrants, type Mapping, type TenantSpec } from '@service-replicator/replication-config';
import { HOST_CLUSTER, MappingStore, PodAddressStore, ReconcileQueue, SnapshotStore, StatusStore, tenantCluster } from '@service-replicator/replication-queue';
import { buildTenantEndpointSlices, buildTenantService, ownedBy } from '@service-replicator/service-translation';
import { log } from './bench-log';
import { inParallel, type ScaleEnvironment } from './scale-environment';

export interface PassCost {
  readonly mappings: number;
  readonly passes: number;
  /** CPU of this process per pass (user + system), for a pass that finds its mirror in sync. */
  readonly cpuMsPerPass: number;
  readonly wallMsPerPass: number;
}

export interface PublishCost {
  readonly mappings: number;
  /** Parsing and validating the vcluster.yaml, diffing it against what is in force, publishing, enqueueing. */
  readonly totalMs: number;
  readonly parseMs: number;
  readonly publishMs: number;
  readonly enqueueMs: number;
}

const TENANT = 'p';
const NAMESPACE = 'pc';

/**
 * A writer's pass in this process, against the benchmark's Redis, for a tenant with `size`
 * mappings whose mirrors are all in sync (snapshots as the watchers would keep them): what a
 * resync pass costs, and whether that grows with the size of the tenant's config. No API server
 * is asked anything (a pass reads only Redis), so this isolates the pass itself.
 */
export async function measurePassCost(env: ScaleEnvironment, size: number, passes: number): Promise<PassCost> {
  const prefix = `pass${size}`;
  const tenant = tenantSpec(env);
  const mappings = Array.from({ length: size }, (_, i) => mappingOf(i));
  const store = new MappingStore(env.redis, prefix);
  const snapshots = new SnapshotStore(env.redis, prefix);
  await store.publish(tenant, mappings);
  await inParallel(mappings, 64, (mapping) => storeInSync(snapshots, mapping));
  await snapshots.markSynced(HOST_CLUSTER, ['shared'], 'bench');
  await snapshots.markSynced(tenantCluster(TENANT), [NAMESPACE], 'bench');
  // The writer reads a source only after proving, once per namespace and 5 minutes, that the tenant's host identity may.
  await grantRoles(env.host.kubeConfig, tenantHostGrants(tenant));
  const registry = new ClusterRegistry(loadKubeConfig({ file: env.host.kubeconfigPath }));
  const reconciler = new Reconciler(registry, store, snapshots, new PodAddressStore(env.redis, prefix));
  const recorder = new OutcomeRecorder(new StatusStore(env.redis, prefix), { warn: () => undefined });
  const keys = mappings.map(mappingKeyOf);
  // Warm up: JIT, the tenant's client, each status record written once.
  for (const key of keys.slice(0, Math.min(200, keys.length))) await recorder.record(await reconciler.reconcile(key));
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let pass = 0; pass < passes; pass++) {
    const outcome = await reconciler.reconcile(keys[(pass * 7919) % keys.length]);
    if (outcome.state !== 'in-sync' || outcome.wrote) throw new Error(`a pass of ${outcome.key} was not a no-op: ${outcome.message}`);
    await recorder.record(outcome);
  }
  const used = process.cpuUsage(cpu);
  const wall = performance.now() - start;
  const result = { mappings: size, passes, cpuMsPerPass: (used.user + used.system) / 1000 / passes, wallMsPerPass: wall / passes };
  log(`pass cost at ${size} mappings: ${result.cpuMsPerPass.toFixed(3)} ms CPU per pass`);
  return result;
}

/** What config-watcher does with a new config of `size` entries, timed step by step in this process. */
export async function measurePublishCost(env: ScaleEnvironment, size: number): Promise<PublishCost> {
  const prefix = `publish${size}`;
  const tenant = tenantSpec(env);
  const text = stringify({ networking: { replicateServices: { fromHost: Array.from({ length: size }, (_, i) => ({ from: `shared/src-${i}`, to: `${NAMESPACE}/dst-${i}` })) } } });
  const store = new MappingStore(env.redis, prefix);
  const queue = ReconcileQueue.connect(env.redis, prefix);
  try {
    const start = performance.now();
    const { config, issues } = parseTenantConfig(text, tenant, { ...DEFAULT_TENANT_LIMITS, maxMappings: size });
    if (!config) throw new Error(`the generated config is invalid: ${issues[0]?.message}`);
    const diff = diffMappings((await store.get(TENANT))?.mappings ?? [], config.mappings);
    const parsed = performance.now();
    await store.publish(tenant, config.mappings);
    const published = performance.now();
    await queue.enqueue([...diff.added, ...diff.changed, ...diff.removed].map(mappingKeyOf), 'bench publish');
    const done = performance.now();
    const result = { mappings: size, totalMs: done - start, parseMs: parsed - start, publishMs: published - parsed, enqueueMs: done - published };
    log(`publishing ${size} entries: ${result.totalMs.toFixed(0)} ms`);
    return result;
  } finally {
    await queue.queue.obliterate({ force: true });
    await queue.close();
  }
}

function tenantSpec(env: ScaleEnvironment): TenantSpec {
  return {
    name: TENANT,
    hostNamespace: 'vc-p',
    kubeconfig: { file: env.tenant.kubeconfigPath },
    allowedHostNamespaces: [],
    fromHostNamespaces: ['shared'],
    config: { file: '/dev/null' },
    toHostMode: 'selector',
  };
}

function mappingOf(i: number): Mapping {
  return { tenant: TENANT, direction: 'fromHost', source: { namespace: 'shared', name: `src-${i}` }, target: { namespace: NAMESPACE, name: `dst-${i}` } };
}

/** The snapshots of an in-sync mirror: the source, and the target and its slice as the API server stored them. */
async function storeInSync(snapshots: SnapshotStore, mapping: Mapping): Promise<void> {
  const i = Number(mapping.source.name.slice(4));
  const ip = `10.96.${Math.floor(i / 250)}.${(i % 250) + 1}`;
  const source: V1Service = {
    metadata: { ...mapping.source, uid: `source-${i}`, resourceVersion: '10' },
    spec: { type: 'ClusterIP', clusterIP: ip, clusterIPs: [ip], ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }] },
  };
  const target = buildTenantService(source, mapping);
  target.metadata = { ...target.metadata, uid: `target-${i}`, resourceVersion: '20' };
  target.spec = { ...target.spec, sessionAffinity: 'None', ipFamilies: ['IPv4'] };
  await snapshots.putService(HOST_CLUSTER, source);
  await snapshots.putService(tenantCluster(TENANT), target);
  for (const slice of buildTenantEndpointSlices(source, [], mapping)) {
    const stored = ownedBy(slice, target);
    stored.metadata = { ...stored.metadata, uid: `slice-${i}`, resourceVersion: '21' };
    await snapshots.putSlice(tenantCluster(TENANT), mapping.target, stored);
  }
}
