import type { CoreV1Api, DiscoveryV1Api, V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import type { AppName } from '@service-replicator/control-plane-harness';
import { isOwned, MANAGED_BY_LABEL, MANAGED_BY_VALUE, SERVICE_NAME_LABEL, TENANT_LABEL } from '@service-replicator/service-translation';
import { ReplicationFixture } from '../support/replication-fixture';
import { ApiWrites } from '../support/api-writes';
import { ClusterObserver, objectId } from './cluster-observer';

/** Short, so "reconverged within one resync interval" is a target a row can miss. */
export const RESYNC_INTERVAL_SECONDS = 30;

/** The tenants whose ownership marker makes an object ours. */
export const TENANTS = ['a', 'b'] as const;

/** Where tenant a's fromHost mirrors go: two namespaces, so a pass's namespace lookups vary. */
const FROM_HOST_NAMESPACES = ['default', 'team'];
const SOURCE_NAMESPACE = 'shared';

/** One mirror a user expects to exist, in the cluster its mapping writes into. */
export interface ExpectedMirror {
  readonly key: string;
  readonly cluster: 'host' | 'a' | 'b';
  readonly namespace: string;
  readonly name: string;
  /** The host Service it mirrors (fromHost: its clusterIP must be the mirror's endpoint). */
  readonly source: { readonly cluster: 'host' | 'b'; readonly name: string };
}

export interface ChaosOptions {
  readonly prefix: string;
  /** Tenant a: this many host Services mirrored into it. */
  readonly fromHost: number;
  /** Tenant b: this many of its Services mirrored into the host. */
  readonly toHost: number;
  readonly env?: Record<string, string>;
}

/**
 * The deployment a chaos row disturbs: the end-to-end fixture (host and two tenant API servers,
 * Redis, the four apps as processes) replicating `fromHost` host Services into tenant a and
 * `toHost` Services of tenant b into the host, with a watch on every cluster (lost mirrors,
 * touched objects that are not ours), unowned objects planted beside the mirrors, and the API
 * servers' write counters.
 */
export class ChaosEnvironment {
  readonly observers: ReadonlyMap<'host' | 'a' | 'b', ClusterObserver>;
  readonly writes: ApiWrites;
  /** Every source's current port, by `cluster/name`: what each mirror must show. */
  private readonly ports = new Map<string, number>();
  private mirrors: ExpectedMirror[] = [];

  private constructor(readonly fx: ReplicationFixture, readonly options: ChaosOptions) {
    const clusters = { host: fx.host, a: fx.tenant('a').cluster, b: fx.tenant('b').cluster };
    this.observers = new Map(Object.entries(clusters).map(([name, cluster]) => [name as 'host' | 'a' | 'b', new ClusterObserver(cluster)]));
    this.writes = new ApiWrites(Object.values(clusters));
  }

  static async start(options: ChaosOptions): Promise<ChaosEnvironment> {
    const fx = await ReplicationFixture.start({
      prefix: options.prefix,
      // The orphan sweep keeps its default (3600 s): a leftover swept within a row was swept for a reason.
      env: { RESYNC_INTERVAL_SECONDS: String(RESYNC_INTERVAL_SECONDS), LOG_LEVEL: 'info', ...options.env },
    });
    const env = new ChaosEnvironment(fx, options);
    try {
      await Promise.all([...env.observers.values()].map((observer) => observer.start()));
      await env.createSources();
      await env.plantUnowned();
    } catch (error) {
      await env.stop();
      throw error;
    }
    return env;
  }

  /** Names of tenant a's mirrors (and their host sources): `svc-0` ... */
  fromHostNames(count = this.options.fromHost): string[] {
    return Array.from({ length: count }, (_, i) => `svc-${i}`);
  }

  toHostNames(): string[] {
    return Array.from({ length: this.options.toHost }, (_, i) => `app-${i}`);
  }

  /** Writes both tenants' configs with the first `fromHost` mappings; resolves once published. */
  async configure(fromHost = this.options.fromHost): Promise<void> {
    const before = await Promise.all([this.fx.publishedVersion('a'), this.fx.publishedVersion('b')]);
    await this.fx.writeRawConfig('a', this.configTextA(fromHost));
    await this.fx.configure('b', { toHost: this.toHostNames().map((name) => ({ from: `default/${name}`, to: name })) });
    this.mirrors = [
      ...this.fromHostNames(fromHost).map((name, i) => fromHostMirror(name, FROM_HOST_NAMESPACES[i % FROM_HOST_NAMESPACES.length])),
      ...this.toHostNames().map((name) => toHostMirror(name)),
    ];
    await waitFor(async () => {
      const after = await Promise.all([this.fx.publishedVersion('a'), this.fx.publishedVersion('b')]);
      return after.every((version, i) => version !== undefined && version !== before[i]);
    }, 60_000, 'config-watcher publishing both tenants');
  }

  /**
   * Tenant a's vcluster.yaml: one entry a line, so a cut at a line boundary is still valid YAML;
   * `extra` names more host Services mirrored into `default` under the same name.
   */
  configTextA(fromHost = this.options.fromHost, extra: readonly string[] = []): string {
    const lines = this.fromHostNames(fromHost).map((name, i) => `      - { from: ${SOURCE_NAMESPACE}/${name}, to: ${FROM_HOST_NAMESPACES[i % FROM_HOST_NAMESPACES.length]}/${name} }`);
    lines.push(...extra.map((name) => `      - { from: ${SOURCE_NAMESPACE}/${name}, to: default/${name} }`));
    return ['networking:', '  replicateServices:', '    fromHost:', ...lines, '    toHost: []', ''].join('\n');
  }

  get expectedMirrors(): readonly ExpectedMirror[] {
    return this.mirrors;
  }

  /** From now on a deletion of any expected mirror counts as lost. */
  expectMirrors(): void {
    for (const [cluster, observer] of this.observers) {
      observer.expect(this.mirrors.filter((m) => m.cluster === cluster).flatMap((m) => [objectId('Service', m.namespace, m.name)]));
    }
  }

  /**
   * undefined once every expected mirror exists, is ours, shows its source's current port (and,
   * fromHost, an EndpointSlice pointing at the source's clusterIP), and every key's status is in
   * sync; otherwise what is still missing, for a failure message.
   */
  async divergence(): Promise<string | undefined> {
    const problems: string[] = [];
    const statuses = await this.fx.redis.hgetall(`${this.fx.prefix}:replicator:status`);
    const views = new Map<string, Promise<ClusterView>>();
    for (const mirror of this.mirrors) {
      const at = `${mirror.cluster}/${mirror.namespace}`;
      if (!views.has(at)) views.set(at, this.view(mirror.cluster, mirror.namespace));
    }
    const sources = await this.sourceServices();
    for (const mirror of this.mirrors) {
      const view = await views.get(`${mirror.cluster}/${mirror.namespace}`);
      const problem = mirrorProblem(mirror, view, sources.get(`${mirror.source.cluster}/${mirror.source.name}`));
      const state = statuses[mirror.key] ? (JSON.parse(statuses[mirror.key]) as { state: string }).state : 'no status';
      if (problem || state !== 'in-sync') problems.push(`${mirror.key}: ${problem ?? state}`);
    }
    return problems.length === 0 ? undefined : `${problems.length} of ${this.mirrors.length} mirrors not converged, e.g. ${problems.slice(0, 3).join('; ')}`;
  }

  /** How long (ms) until `divergence()` is undefined; throws with what is missing after `timeoutMs`. */
  async waitConverged(timeoutMs: number): Promise<number> {
    const started = Date.now();
    let last: string | undefined = 'not checked';
    while (Date.now() - started < timeoutMs) {
      last = await this.divergence().catch((error: unknown) => `cannot check: ${String(error)}`);
      if (last === undefined) return Date.now() - started;
      await sleep(250);
    }
    throw new ConvergenceTimeout(`not reconverged within ${timeoutMs} ms: ${last}`);
  }

  /**
   * Changes the port of `count` sources, up to half of them tenant b's (toHost) and the rest the
   * host's (fromHost, into tenant a): the mirrors in both directions must follow.
   */
  async changeSourcePorts(count: number): Promise<void> {
    const ids = [...this.ports.keys()];
    const inB = ids.filter((id) => id.startsWith('b/'));
    const fromB = Math.min(inB.length, Math.floor(count / 2));
    const targets = [...ids.filter((id) => id.startsWith('host/')).slice(0, count - fromB), ...inB.slice(0, fromB)];
    for (const id of targets) {
      const [cluster, name] = id.split('/');
      const port = this.ports.get(id) === 80 ? 81 : 80;
      const core = cluster === 'host' ? this.fx.hostCore : this.fx.tenant('b').core;
      const namespace = cluster === 'host' ? SOURCE_NAMESPACE : 'default';
      await core.patchNamespacedService({ namespace, name, body: [{ op: 'replace', path: '/spec/ports/0/port', value: port }] });
      this.writes.ownWrite('services');
      this.ports.set(id, port);
    }
  }

  /** Polls every app's /health/ready; resolves to their status codes (0: did not answer). */
  async readiness(): Promise<Record<AppName, number>> {
    const apps: AppName[] = ['config-watcher', 'host-watcher', 'tenant-watcher', 'writer'];
    const codes = await Promise.all(apps.map(async (app) => {
      const address = await this.fx.replicator.httpAddress(app).catch(() => undefined);
      if (!address) return 0;
      return fetch(`${address}/health/ready`, { signal: AbortSignal.timeout(3_000) }).then((res) => res.status, () => 0);
    }));
    return Object.fromEntries(apps.map((app, i) => [app, codes[i]])) as Record<AppName, number>;
  }

  /** config-watcher's /status.json answers and reports every mapping in sync (what an operator looks at). */
  async statusPageHealthy(): Promise<boolean> {
    const address = await this.fx.replicator.httpAddress('config-watcher');
    const res = await fetch(`${address}/status.json`, { signal: AbortSignal.timeout(5_000) });
    if (!res.ok) return false;
    const report = (await res.json()) as { healthy: boolean; counts: Record<string, number> };
    return report.healthy && report.counts['in-sync'] >= this.mirrors.length;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.observers.values()].map((observer) => observer.stop()));
    await this.fx.stop();
  }

  private async createSources(): Promise<void> {
    const { hostCore } = this.fx;
    const names = this.fromHostNames();
    // No selector: nothing for the EndpointSlice controller to write (a ClusterIP source's slices play no part in its mirror).
    await inParallel(names, 16, (name) => hostCore.createNamespacedService({ namespace: SOURCE_NAMESPACE, body: { metadata: { name }, spec: { ports: [{ name: 'http', port: 80 }] } } }));
    for (const name of names) this.ports.set(`host/${name}`, 80);
    const tenantB = this.fx.tenant('b').core;
    for (const name of this.toHostNames()) {
      await tenantB.createNamespacedService({ namespace: 'default', body: { metadata: { name }, spec: { selector: { app: name }, ports: [{ name: 'http', port: 80 }] } } });
      this.ports.set(`b/${name}`, 80);
    }
    await this.fx.tenant('a').core.createNamespace({ body: { metadata: { name: 'team' } } });
  }

  /**
   * Objects that are not ours beside the mirrors, watched from now on: a plain Service, one
   * labelled managed-by us for another tenant, and an EndpointSlice of someone else's naming one
   * of our mirrors (`kubernetes.io/service-name`). None of them may ever be modified or deleted.
   */
  private async plantUnowned(): Promise<void> {
    type Place = readonly [cluster: 'a' | 'host', core: CoreV1Api, discovery: DiscoveryV1Api, namespace: string, mirrorName: string];
    const places: Place[] = [
      ...FROM_HOST_NAMESPACES.map((ns, i): Place => ['a', this.fx.tenant('a').core, this.fx.tenant('a').discovery, ns, `svc-${i}`]),
      ['host', this.fx.hostCore, this.fx.hostDiscovery, 'vc-b', 'app-0'],
    ];
    for (const [cluster, core, discovery, namespace, mirrorName] of places) {
      const services: V1Service[] = [
        { metadata: { name: 'user-plain', labels: { owner: 'user' } }, spec: { ports: [{ port: 1 }] } },
        { metadata: { name: 'user-other-tenant', labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [TENANT_LABEL]: 'z' } }, spec: { ports: [{ port: 2 }] } },
      ];
      for (const body of services) await core.createNamespacedService({ namespace, body });
      const slice: V1EndpointSlice = {
        metadata: { name: `user-slice-${mirrorName}`, labels: { [SERVICE_NAME_LABEL]: mirrorName, 'endpointslice.kubernetes.io/managed-by': 'user' } },
        addressType: 'IPv4',
        endpoints: [{ addresses: ['10.9.9.9'] }],
        ports: [{ port: 9 }],
      };
      await discovery.createNamespacedEndpointSlice({ namespace, body: slice });
      this.observers.get(cluster)?.track([
        ...services.map((s) => objectId('Service', namespace, s.metadata?.name ?? '')),
        objectId('EndpointSlice', namespace, slice.metadata?.name ?? ''),
      ]);
    }
  }

  private async view(cluster: 'host' | 'a' | 'b', namespace: string): Promise<ClusterView> {
    const { core, discovery } = cluster === 'host' ? { core: this.fx.hostCore, discovery: this.fx.hostDiscovery } : this.fx.tenant(cluster);
    const [services, slices] = await Promise.all([core.listNamespacedService({ namespace }), discovery.listNamespacedEndpointSlice({ namespace })]);
    return { services: new Map(services.items.map((s) => [s.metadata?.name ?? '', s])), slices: slices.items };
  }

  private async sourceServices(): Promise<Map<string, V1Service & { port: number }>> {
    const [host, b] = await Promise.all([
      this.fx.hostCore.listNamespacedService({ namespace: SOURCE_NAMESPACE }),
      this.fx.tenant('b').core.listNamespacedService({ namespace: 'default' }),
    ]);
    const byId = new Map<string, V1Service & { port: number }>();
    for (const [cluster, list] of [['host', host], ['b', b]] as const) {
      for (const service of list.items) {
        const id = `${cluster}/${service.metadata?.name ?? ''}`;
        byId.set(id, { ...service, port: this.ports.get(id) ?? -1 });
      }
    }
    return byId;
  }
}

interface ClusterView {
  readonly services: ReadonlyMap<string, V1Service>;
  readonly slices: readonly V1EndpointSlice[];
}

function mirrorProblem(mirror: ExpectedMirror, view: ClusterView | undefined, source: (V1Service & { port: number }) | undefined): string | undefined {
  const service = view?.services.get(mirror.name);
  const tenant = mirror.key.split('/')[0];
  const direction = mirror.cluster === 'host' ? 'toHost' : 'fromHost';
  if (!service) return 'missing';
  if (!isOwned(service, { tenant, direction })) return 'not ours';
  if (service.spec?.ports?.[0]?.port !== source?.port) return `port ${service.spec?.ports?.[0]?.port}, source has ${source?.port}`;
  if (direction === 'toHost') return undefined;
  const ip = source?.spec?.clusterIP;
  const slices = (view?.slices ?? []).filter((s) => s.metadata?.labels?.[SERVICE_NAME_LABEL] === mirror.name && isOwned(s, { tenant, direction }));
  const pointing = slices.some((s) => s.endpoints.some((e) => e.addresses.includes(ip ?? '')) && s.ports?.[0]?.port === source?.port);
  return pointing ? undefined : 'no EndpointSlice with the source clusterIP and port';
}

function fromHostMirror(name: string, namespace: string): ExpectedMirror {
  return { key: `a/fromHost/${namespace}/${name}`, cluster: 'a', namespace, name, source: { cluster: 'host', name } };
}

function toHostMirror(name: string): ExpectedMirror {
  return { key: `b/toHost/vc-b/${name}`, cluster: 'host', namespace: 'vc-b', name, source: { cluster: 'b', name } };
}

export class ConvergenceTimeout extends Error {
  override readonly name = 'ConvergenceTimeout';
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` every 100 ms; fails naming `what` after `timeoutMs`. */
export async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await condition().catch(() => false)) return Date.now() - started;
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Runs `work` over `items`, `concurrency` at a time. */
export async function inParallel<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await work(items[next++]);
  }));
}
