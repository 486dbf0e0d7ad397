import { hostname } from 'node:os';
import type { V1EndpointSlice, V1Endpoints, V1Service } from '@kubernetes/client-node';
import { formatRef, type ObjectRef } from '@service-replicator/references';
import { keysOf, mappingKeyOf, watchPlan, type TenantSpec, type WatchPlan } from '@service-replicator/replication-config';
import {
  ENDPOINT_SLICE_MANAGED_BY_LABEL,
  ENDPOINT_SLICE_MANAGED_BY_VALUE,
  ENDPOINTS_CONTROLLER,
  ENDPOINTS_MANAGED_BY_LABEL,
  sourceFingerprint,
} from '@service-replicator/service-translation';
import { ATTR, inSpan } from '@service-replicator/telemetry';
import { apiMessage } from './api-error';
import type { ClusterClient } from './cluster-client';
import { NamespaceInformers } from './namespace-informers';
import { lastWrittenByUs } from './own-writes';
import type { InformerVerb } from './restarting-informer';
import { SnapshotScope } from './snapshot-scope';
import type { SnapshotSink } from './snapshot-sink';
import type { WatchEvents } from './watch-events';
import type { WatcherMetrics } from './watcher-metrics';

/** How often a watcher checks that Redis still holds what it vouches for, and retries failed writes. */
const REPAIR_INTERVAL_MS = 2_000;

/**
 * Watches Services and EndpointSlices in exactly the namespaces a WatchPlan names and keeps, in
 * the snapshot store, what the writer's passes read: every Service a mapping reads or writes, with
 * its slices (and a target's core/v1 Endpoints, in namespaces holding targets of a tenant whose
 * options make them matter). It enqueues a key only when something that can change its mirror
 * changed: a source's spec (not its status or labels), the slices of a source whose endpoints are
 * copied, or a target that differs from what the writer itself last wrote (not the echo of that write).
 */
export class ClusterWatcher {
  /** The plan followed, and what it means for the snapshots given the tenants' specs. */
  private scope = new SnapshotScope(watchPlan([], 'host'), new Map());
  private readonly informers = new Map<string, NamespaceInformers>();
  /** Namespaces listed and written to the snapshot store, and those whose last write failed. */
  private readonly synced = new Set<string>();
  private readonly dirty = new Set<string>();
  /** The last source fingerprint seen per Service: an update that keeps it changes no mirror. */
  private readonly fingerprints = new Map<string, string>();
  private readonly holder = `${hostname()}/${process.pid}`;
  private repairTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly cluster: ClusterClient,
    /** This cluster's id in the snapshot store (`host`, `tenant.<name>`). */
    private readonly clusterId: string,
    private readonly snapshots: SnapshotSink,
    private readonly events: WatchEvents,
    private readonly metrics?: WatcherMetrics,
  ) {}

  /** Follows a new plan: starts informers for new namespaces, stops those no longer needed. */
  async follow(plan: WatchPlan, tenants: ReadonlyMap<string, TenantSpec>): Promise<void> {
    const previous = this.plan;
    this.scope = new SnapshotScope(plan, tenants);
    this.repairTimer ??= setInterval(() => void this.repair(), REPAIR_INTERVAL_MS);
    const wanted = new Set(plan.namespaces);
    const stale = [...this.informers.keys()].filter((namespace) => !wanted.has(namespace));
    await Promise.all(stale.map((namespace) => this.stopNamespace(namespace, previous)));
    await this.dropUnwatched(previous, plan);
    // A namespace whose targets' Endpoints start or stop mattering is listed again with or without them.
    const flipped = plan.namespaces.filter((namespace) => {
      const informers = this.informers.get(namespace);
      return informers !== undefined && informers.withEndpoints !== this.scope.wantsEndpoints(namespace);
    });
    const kept = plan.namespaces.filter((namespace) => this.synced.has(namespace) && !flipped.includes(namespace));
    const added = plan.namespaces.filter((namespace) => !this.informers.has(namespace));
    // Services newly named (or named by other mappings, which may need their slices) in namespaces
    // already watched: their snapshots come from the caches.
    const renamed = (ref: ObjectRef) => keysOf(previous.watched(ref)).join() !== keysOf(plan.watched(ref)).join();
    await Promise.all(kept.map((namespace) => this.syncNamespace(namespace, 'mappings changed', renamed)));
    await Promise.all([...added.map((namespace) => this.startNamespace(namespace)), ...flipped.map((namespace) => this.restartNamespace(namespace))]);
  }

  private get plan(): WatchPlan {
    return this.scope.plan;
  }

  /** True once every namespace has been listed and written to the snapshot store. */
  get hasSynced(): boolean {
    return [...this.informers.keys()].every((namespace) => this.synced.has(namespace));
  }

  /** Synced, and no informer failing for long (its API server out of reach). */
  get healthy(): boolean {
    return this.hasSynced && [...this.informers.values()].every((informers) => informers.healthy);
  }

  /** The Redis server changed (a failover): what the old one took last may be lost, so every namespace is written again from the caches. */
  rewriteSnapshots(): void {
    for (const namespace of this.synced) this.dirty.add(namespace);
  }

  get restarts(): number {
    return [...this.informers.values()].reduce((sum, informers) => sum + informers.restarts, 0);
  }

  async stop(): Promise<void> {
    clearInterval(this.repairTimer);
    this.repairTimer = undefined;
    const namespaces = [...this.informers.keys()];
    await Promise.all(namespaces.map((namespace) => this.informers.get(namespace)?.stop()));
    this.informers.clear();
    // A stand-by or successor lists again; until then no pass may trust these snapshots.
    await this.snapshots.unmarkSynced(this.clusterId, [...this.synced]).catch(() => undefined);
    this.synced.clear();
  }

  private async startNamespace(namespace: string): Promise<void> {
    const informers = new NamespaceInformers(this.cluster, namespace, {
      service: (service, verb) => void this.onService(namespace, service, verb),
      slice: (slice, serviceName, verb) => void this.onSlice(namespace, slice, serviceName, verb),
      endpoints: (endpoints, verb) => void this.onEndpoints(namespace, endpoints, verb),
      error: (resource, error, restartInMs) => {
        this.metrics?.informerRestarts.inc({ cluster: this.cluster.name, resource });
        this.events.informerError?.(namespace, resource, error, restartInMs);
        // Until it lists, passes that need this namespace say why they cannot proceed (e.g. forbidden).
        if (!this.synced.has(namespace)) {
          const reason = `${this.cluster.name} cannot watch ${resource} in namespace ${namespace}: ${apiMessage(error).slice(0, 300)}`;
          void this.write(namespace, () => this.snapshots.markFailed(this.clusterId, namespace, reason));
        }
      },
      relisted: (resource) => {
        this.metrics?.relists.inc({ cluster: this.cluster.name, resource });
        this.events.relisted?.(namespace, resource);
      },
      // Passes that failed while this cluster was out of reach wait out a backoff (up to 60 s): now they can run.
      recovered: (resource) => {
        const keys = this.plan.inNamespace(namespace).flatMap(keysOf);
        if (keys.length > 0) this.traced(`${resource} watch recovered`, { 'k8s.namespace.name': namespace }, keys, 'watch recovered');
      },
    }, this.scope.wantsEndpoints(namespace));
    this.informers.set(namespace, informers);
    // Resolves once listed, or once a failed list is scheduled to be retried: then repair() writes
    // the namespace when its informers have listed, so an API server that is down blocks nothing.
    await informers.start();
    if (informers.hasSynced && this.informers.get(namespace) === informers) await this.syncNamespace(namespace, 'listed');
  }

  /**
   * New informers for a namespace, its snapshots kept meanwhile (the new list's sync reconciles them
   * with the cache): passes of tenants that do not need the change go on undisturbed.
   */
  private async restartNamespace(namespace: string): Promise<void> {
    const informers = this.informers.get(namespace);
    this.informers.delete(namespace);
    this.synced.delete(namespace);
    await informers?.stop();
    await this.startNamespace(namespace);
  }

  private async stopNamespace(namespace: string, plan: WatchPlan | undefined): Promise<void> {
    const informers = this.informers.get(namespace);
    this.informers.delete(namespace);
    this.synced.delete(namespace);
    this.dirty.delete(namespace);
    await informers?.stop();
    await this.write(namespace, async () => {
      await this.snapshots.unmarkSynced(this.clusterId, [namespace]);
      await this.snapshots.drop(this.clusterId, plan?.inNamespace(namespace).map((service) => service.ref) ?? []);
    });
  }

  /** Snapshots of Services no mapping names any more (in namespaces still watched) are removed. */
  private async dropUnwatched(previous: WatchPlan | undefined, next: WatchPlan): Promise<void> {
    const gone = (previous?.services ?? []).filter((service) => this.informers.has(service.ref.namespace) && !next.watched(service.ref));
    for (const service of gone) this.fingerprints.delete(formatRef(service.ref));
    if (gone.length > 0) await this.write(gone[0].ref.namespace, () => this.snapshots.drop(this.clusterId, gone.map((service) => service.ref)));
  }

  /**
   * Writes the cache's view of the namespace's watched Services (all, or those `only` picks) to
   * the snapshot store, enqueues the keys of those that changed, and vouches for the namespace.
   * This is how a watcher that starts, takes over, or recovers from a Redis failure catches up:
   * what changed while nobody watched shows as a difference from the stored snapshot.
   */
  private async syncNamespace(namespace: string, cause: string, only?: (ref: ObjectRef) => boolean): Promise<void> {
    const partial = only !== undefined;
    const informers = this.informers.get(namespace);
    if (!informers) return;
    const slicesByService = informers.slicesByService();
    const listVersion = informers.listVersion;
    const changedKeys: string[] = [];
    const ok = await this.write(namespace, async () => {
      // All at once: the stores' connection pipelines them, so a namespace of thousands of Services
      // is written in a few round trips rather than one per Service.
      const writes = (this.plan.inNamespace(namespace) ?? []).filter((watched) => !only || only(watched.ref)).map(async (watched) => {
        const service = informers.service(watched.ref.name);
        if (service) this.fingerprints.set(formatRef(watched.ref), sourceFingerprint(service));
        const view = this.scope.view(watched, service, slicesByService.get(watched.ref.name) ?? [], informers.endpoints(watched.ref.name));
        if (await this.snapshots.replace(this.clusterId, watched.ref, view, listVersion)) changedKeys.push(...keysOf(watched));
      });
      await Promise.all(writes);
      // Only a whole namespace is vouched for: a partial write must not vouch again for a namespace
      // whose snapshots Redis may have lost meanwhile (repair() writes it whole once it sees that).
      if (partial) return;
      await this.snapshots.markSynced(this.clusterId, [namespace], this.holder, { endpoints: informers.withEndpoints });
      // Passes that found the namespace not listed yet run now instead of after their retry delay.
      changedKeys.push(...(await this.snapshots.takeWaiting(this.clusterId, namespace)));
    });
    if (!ok) return;
    this.synced.add(namespace);
    if (changedKeys.length > 0) this.traced(`sync ${namespace}`, { 'k8s.namespace.name': namespace }, changedKeys, cause);
  }

  private async onService(namespace: string, service: V1Service, verb: InformerVerb): Promise<void> {
    const ref = { namespace, name: service.metadata?.name ?? '' };
    const watched = this.plan.watched(ref);
    // The first list's events are skipped: syncNamespace writes what it delivered, in one go.
    if (!watched || !this.informers.get(namespace)?.hasSynced) return;
    const id = formatRef(ref);
    const fingerprint = verb === 'delete' ? undefined : sourceFingerprint(service);
    const sourceChanged = watched.sourceOf.length > 0 && this.fingerprints.get(id) !== fingerprint;
    if (fingerprint === undefined) this.fingerprints.delete(id);
    else this.fingerprints.set(id, fingerprint);
    // A source whose spec did not change needs no write: passes read only its spec.
    if (watched.targetOf.length === 0 && !sourceChanged) return;
    const informers = this.informers.get(namespace);
    let stored = false;
    await this.write(namespace, async () => {
      if (verb === 'delete') stored = await this.snapshots.deleteService(this.clusterId, ref, service.metadata?.uid);
      else if (sourceChanged && informers && this.scope.keepsSlices(watched, service)) {
        // A source that just became headless needs its slices, which were not kept while they did not matter.
        stored = await this.snapshots.replace(this.clusterId, ref, this.scope.view(watched, service, informers.view(ref).slices, informers.endpoints(ref.name)), informers.listVersion);
      } else stored = await this.snapshots.putService(this.clusterId, service);
    });
    const drift = stored && (verb === 'delete' || !lastWrittenByUs(service));
    const keys = [...(sourceChanged ? watched.sourceOf.map(mappingKeyOf) : []), ...(drift ? watched.targetOf : [])];
    this.enqueueFor(`services ${verb}`, ref, keys);
  }

  private async onSlice(namespace: string, slice: V1EndpointSlice, serviceName: string, verb: InformerVerb): Promise<void> {
    const ref = { namespace, name: serviceName };
    const watched = this.plan.watched(ref);
    if (!watched || !this.informers.get(namespace)?.hasSynced) return;
    const feeding = this.scope.fedBySlices(watched, this.informers.get(namespace)?.service(serviceName));
    // Slices of a ClusterIP source (pods coming and going) change no mirror: not even stored.
    if (watched.targetOf.length === 0 && feeding.length === 0) return;
    let stored = false;
    await this.write(namespace, async () => {
      const name = slice.metadata?.name ?? '';
      stored = verb === 'delete' ? await this.snapshots.deleteSlice(this.clusterId, ref, { name, uid: slice.metadata?.uid }) : await this.snapshots.putSlice(this.clusterId, ref, slice);
    });
    if (!stored) return;
    // On a target, only our own slices matter (the EndpointSlice controller's follow its pods), and
    // only when someone else changed them (not the echo of the writer's own write).
    const ours = slice.metadata?.labels?.[ENDPOINT_SLICE_MANAGED_BY_LABEL] === ENDPOINT_SLICE_MANAGED_BY_VALUE;
    const drift = ours && (verb === 'delete' || !lastWrittenByUs(slice));
    this.enqueueFor(`endpointslices ${verb}`, ref, [...feeding.map(mappingKeyOf), ...(drift ? watched.targetOf : [])]);
  }

  /**
   * A target's core/v1 Endpoints (same name), where they are watched. Only those we or vCluster wrote
   * enqueue (the endpoints controller's follow a selector Service's pods and change no mirror), and
   * not the echo of the writer's own write.
   */
  private async onEndpoints(namespace: string, endpoints: V1Endpoints, verb: InformerVerb): Promise<void> {
    const ref = { namespace, name: endpoints.metadata?.name ?? '' };
    const watched = this.plan.watched(ref);
    if (!watched || watched.targetOf.length === 0 || !this.informers.get(namespace)?.hasSynced) return;
    let stored = false;
    await this.write(namespace, async () => {
      stored = verb === 'delete' ? await this.snapshots.deleteEndpoints(this.clusterId, ref, endpoints.metadata?.uid) : await this.snapshots.putEndpoints(this.clusterId, ref, endpoints);
    });
    const controllers = endpoints.metadata?.labels?.[ENDPOINTS_MANAGED_BY_LABEL] === ENDPOINTS_CONTROLLER;
    if (!stored || controllers || (verb !== 'delete' && lastWrittenByUs(endpoints))) return;
    this.enqueueFor(`endpoints ${verb}`, ref, watched.targetOf);
  }

  /** Runs snapshot writes for a namespace; a failure marks it dirty, to be written whole again. */
  private async write(namespace: string, work: () => Promise<void>): Promise<boolean> {
    try {
      await work();
      return true;
    } catch (error) {
      this.dirty.add(namespace);
      this.events.snapshotError?.(namespace, error);
      return false;
    }
  }

  /**
   * Writes dirty namespaces again, and notices when Redis lost what this watcher vouched for (a
   * restart without data, a FLUSHALL): every snapshot is written again and every key enqueued.
   */
  private async repair(): Promise<void> {
    const vouched = await this.snapshots.syncedNamespaces(this.clusterId).catch(() => undefined);
    if (!vouched) return;
    const lost = [...this.synced].filter((namespace) => !vouched.has(namespace));
    for (const namespace of lost) this.dirty.add(namespace);
    if (lost.length > 0) this.events.snapshotsLost?.(lost);
    for (const namespace of this.informers.keys()) if (!this.synced.has(namespace)) this.dirty.add(namespace);
    const pending = [...this.dirty].filter((namespace) => this.informers.get(namespace)?.hasSynced);
    for (const namespace of pending) {
      this.dirty.delete(namespace);
      await this.syncNamespace(namespace, 'snapshots repaired');
    }
  }

  private enqueueFor(event: string, ref: ObjectRef, keys: readonly string[]): void {
    if (keys.length === 0) return;
    this.metrics?.events.inc({ cluster: this.cluster.name, resource: event.split(' ')[0] });
    this.traced(event, { 'k8s.namespace.name': ref.namespace, 'replicator.watch.object': ref.name }, [...new Set(keys)], `watch ${event.split(' ')[0]}`);
  }

  /**
   * Each event starts its own trace (the watch it arrives on is long-lived), which BullMQ carries
   * to the writer's pass for every key it enqueues.
   */
  private traced(name: string, attributes: Record<string, string>, keys: readonly string[], cause: string): void {
    const all = { ...attributes, [ATTR.cluster]: this.cluster.name, [ATTR.keys]: [...keys], [ATTR.cause]: cause };
    void inSpan(`watch ${this.cluster.name} ${name}`, all, async () => this.events.enqueue(keys, cause), { root: true }).catch(() => undefined);
  }
}

