import { hostname } from 'node:os';
import type { V1Pod } from '@kubernetes/client-node';
import type { TenantSpec } from '@service-replicator/replication-config';
import { tenantPodIPs, tenantPodSelector } from '@service-replicator/service-translation';
import { apiMessage } from './api-error';
import type { ClusterClient } from './cluster-client';
import { RestartingInformer, type InformerVerb } from './restarting-informer';

/** Where a TenantPodWatcher keeps each tenant's pod IPs (the Redis PodAddressStore in the apps). */
export interface PodAddressSink {
  replace(tenant: string, ipToPod: ReadonlyMap<string, string>, holder: string): Promise<void>;
  put(tenant: string, pod: string, ips: readonly string[]): Promise<void>;
  remove(tenant: string, pod: string, ips: readonly string[]): Promise<void>;
  markFailed(tenant: string, reason: string): Promise<void>;
  forget(tenant: string): Promise<void>;
  syncedTenants(): Promise<Set<string>>;
}

/** A tenant whose pods must be followed, and the keys whose mirrors copy their addresses. */
export interface TenantPodsWanted {
  readonly tenant: TenantSpec;
  readonly keys: readonly string[];
}

export interface TenantPodEvents {
  enqueue(keys: readonly string[], cause: string): void | Promise<unknown>;
  informerError?(tenant: string, error: unknown, restartInMs: number): void;
  snapshotError?(tenant: string, error: unknown): void;
}

const REPAIR_INTERVAL_MS = 2_000;

interface PodWatch {
  readonly tenant: string;
  readonly namespace: string;
  readonly informer: RestartingInformer<V1Pod>;
  /** Each pod's usable IPs as last written, so an update or delete knows what to take back. */
  readonly ipsByPod: Map<string, string[]>;
  keys: readonly string[];
  synced: boolean;
  dirty: boolean;
}

/**
 * Follows, in the host, the pods vCluster synced for each tenant whose toHost mirrors copy endpoint
 * addresses (one namespaced pod informer per such tenant, on its host namespace and vCluster's
 * marker label), and keeps their IPs in the PodAddressSink: a pass then keeps only those addresses
 * without asking the API server. A change of a tenant's pod IPs enqueues the keys that copy them.
 */
export class TenantPodWatcher {
  private readonly watches = new Map<string, PodWatch>();
  private readonly holder = `${hostname()}/${process.pid}`;
  private repairTimer: NodeJS.Timeout | undefined;

  constructor(private readonly cluster: ClusterClient, private readonly sink: PodAddressSink, private readonly events: TenantPodEvents) {}

  async follow(wanted: readonly TenantPodsWanted[]): Promise<void> {
    this.repairTimer ??= setInterval(() => void this.repair(), REPAIR_INTERVAL_MS);
    const byName = new Map(wanted.map((entry) => [entry.tenant.name, entry]));
    for (const watch of [...this.watches.values()]) {
      const next = byName.get(watch.tenant);
      if (!next || next.tenant.hostNamespace !== watch.namespace) await this.unwatch(watch.tenant, true);
    }
    await Promise.all(wanted.map((entry) => this.watch(entry)));
  }

  get healthy(): boolean {
    return [...this.watches.values()].every((watch) => watch.synced && watch.informer.healthy);
  }

  /** The Redis server changed (a failover): what the old one took last may be lost, so every tenant's addresses are written again from the caches. */
  rewriteSnapshots(): void {
    for (const watch of this.watches.values()) if (watch.synced) watch.dirty = true;
  }

  async stop(): Promise<void> {
    clearInterval(this.repairTimer);
    this.repairTimer = undefined;
    await Promise.all([...this.watches.keys()].map((tenant) => this.unwatch(tenant, false)));
  }

  private async watch({ tenant, keys }: TenantPodsWanted): Promise<void> {
    const existing = this.watches.get(tenant.name);
    if (existing) {
      existing.keys = keys;
      return;
    }
    const namespace = tenant.hostNamespace;
    const labelSelector = tenantPodSelector(tenant.name);
    const watch: PodWatch = {
      tenant: tenant.name,
      namespace,
      keys,
      synced: false,
      dirty: false,
      ipsByPod: new Map(),
      informer: new RestartingInformer<V1Pod>(
        { kubeConfig: this.cluster.kubeConfig, path: `/api/v1/namespaces/${namespace}/pods`, labelSelector, list: () => this.cluster.core.listNamespacedPod({ namespace, labelSelector }) },
        { onChange: (pod, verb) => void this.onPod(watch, pod, verb), onError: (error, delay) => this.onError(watch, error, delay) },
      ),
    };
    this.watches.set(tenant.name, watch);
    await watch.informer.start();
    if (watch.informer.hasSynced && this.watches.get(tenant.name) === watch) await this.writeAll(watch, 'pods listed');
  }

  /** `forget`: the tenant is no longer followed (not just this process stopping): its addresses go. */
  private async unwatch(tenant: string, forget: boolean): Promise<void> {
    const watch = this.watches.get(tenant);
    this.watches.delete(tenant);
    await watch?.informer.stop();
    if (forget) await this.sink.forget(tenant).catch((error: unknown) => this.events.snapshotError?.(tenant, error));
  }

  /** The informer's whole cache, written in one go; keys are enqueued, since anything may have changed. */
  private async writeAll(watch: PodWatch, cause: string): Promise<void> {
    watch.ipsByPod.clear();
    const ipToPod = new Map<string, string>();
    for (const pod of watch.informer.list(watch.namespace)) {
      const ips = tenantPodIPs(pod, watch.tenant);
      const name = pod.metadata?.name ?? '';
      watch.ipsByPod.set(name, ips);
      for (const ip of ips) ipToPod.set(ip, name);
    }
    try {
      await this.sink.replace(watch.tenant, ipToPod, this.holder);
      watch.synced = true;
      watch.dirty = false;
      await this.events.enqueue(watch.keys, cause);
    } catch (error) {
      watch.dirty = true;
      this.events.snapshotError?.(watch.tenant, error);
    }
  }

  private async onPod(watch: PodWatch, pod: V1Pod, verb: InformerVerb): Promise<void> {
    if (!watch.synced || watch.dirty) return;
    const name = pod.metadata?.name ?? '';
    const before = watch.ipsByPod.get(name) ?? [];
    const after = verb === 'delete' ? [] : tenantPodIPs(pod, watch.tenant);
    if (before.join() === after.join()) return;
    if (after.length > 0) watch.ipsByPod.set(name, after);
    else watch.ipsByPod.delete(name);
    try {
      await this.sink.remove(watch.tenant, name, before.filter((ip) => !after.includes(ip)));
      await this.sink.put(watch.tenant, name, after);
      await this.events.enqueue(watch.keys, `watch pods ${verb}`);
    } catch (error) {
      watch.dirty = true;
      this.events.snapshotError?.(watch.tenant, error);
    }
  }

  private onError(watch: PodWatch, error: unknown, restartInMs: number): void {
    this.events.informerError?.(watch.tenant, error, restartInMs);
    if (watch.synced) return;
    // Until it lists, passes that need these pods say why they cannot proceed (e.g. forbidden).
    const reason = `${this.cluster.name} cannot watch pods in namespace ${watch.namespace}: ${apiMessage(error).slice(0, 300)}`;
    void this.sink.markFailed(watch.tenant, reason).catch(() => undefined);
  }

  /** Rewrites what failed to be written, and what Redis lost since this watcher vouched for it. */
  private async repair(): Promise<void> {
    const vouched = await this.sink.syncedTenants().catch(() => undefined);
    if (!vouched) return;
    for (const watch of this.watches.values()) {
      if (watch.synced && !vouched.has(watch.tenant)) watch.dirty = true;
      const due = watch.dirty || !watch.synced;
      if (due && watch.informer.hasSynced) await this.writeAll(watch, 'pod addresses repaired');
    }
  }
}
