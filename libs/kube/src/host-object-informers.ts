import type { KubernetesListObject, V1ConfigMap, V1Secret } from '@kubernetes/client-node';
import { apiMessage } from './api-error';
import type { ClusterClient } from './cluster-client';
import { RestartingInformer } from './restarting-informer';

export type HostObjectKind = 'ConfigMap' | 'Secret';
type HostObject = V1ConfigMap | V1Secret;

/** All namespaces (a cluster-wide watch). */
export const ALL_NAMESPACES = '*';

/** What the cache says about one object: there it is, it is not there, or it cannot be known (and why). */
export type CachedRead<T> = { readonly object: T } | { readonly missing: true } | { readonly error: string };

interface Entry {
  readonly informer: RestartingInformer<HostObject>;
  readonly started: Promise<void>;
  lastError?: string;
}

/**
 * Host ConfigMaps and Secrets kept in informer caches: one namespaced watch per (kind, namespace,
 * label selector), started the first time something asks, so reading a tenant's config costs no
 * API request and an edit is seen as an event, not at the next poll. Namespaced watches need only
 * namespaced RBAC; `*` watches every namespace (cluster-wide RBAC).
 */
export class HostObjectInformers {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly host: ClusterClient,
    private readonly onChange: (kind: HostObjectKind, object: HostObject) => void,
    private readonly onError: (kind: HostObjectKind, namespace: string, error: unknown) => void = () => undefined,
  ) {}

  /** Resolves once the objects are listed (or the list failed and is being retried). */
  async ensure(kind: HostObjectKind, namespace: string, labelSelector = ''): Promise<void> {
    await this.entry(kind, namespace, labelSelector).started;
  }

  /** One object, from the cache of its namespace (the unselected watch, started if need be). */
  async read(kind: HostObjectKind, namespace: string, name: string): Promise<CachedRead<HostObject>> {
    const entry = this.entry(kind, namespace, '');
    await entry.started;
    if (!entry.informer.hasSynced) return { error: entry.lastError ?? 'not listed yet' };
    const object = entry.informer.get(name, namespace);
    return object ? { object } : { missing: true };
  }

  /** Everything a started watch holds (empty until it listed). */
  list(kind: HostObjectKind, namespace: string, labelSelector = ''): readonly HostObject[] {
    const entry = this.entries.get(entryKey(kind, namespace, labelSelector));
    if (!entry) return [];
    return entry.informer.list(namespace === ALL_NAMESPACES ? undefined : namespace);
  }

  /** True once that watch has listed. */
  listed(kind: HostObjectKind, namespace: string, labelSelector = ''): boolean {
    return this.entries.get(entryKey(kind, namespace, labelSelector))?.informer.hasSynced ?? false;
  }

  /** Why a watch cannot list, if it cannot. */
  errorOf(kind: HostObjectKind, namespace: string, labelSelector = ''): string | undefined {
    const entry = this.entries.get(entryKey(kind, namespace, labelSelector));
    return entry && !entry.informer.hasSynced ? entry.lastError : undefined;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.entries.values()].map((entry) => entry.informer.stop()));
    this.entries.clear();
  }

  private entry(kind: HostObjectKind, namespace: string, labelSelector: string): Entry {
    const key = entryKey(kind, namespace, labelSelector);
    const existing = this.entries.get(key);
    if (existing) return existing;
    const informer = new RestartingInformer<HostObject>(
      { kubeConfig: this.host.kubeConfig, path: watchPath(kind, namespace), list: () => this.listCall(kind, namespace, labelSelector), ...(labelSelector ? { labelSelector } : {}) },
      {
        onChange: (object) => this.onChange(kind, object),
        onError: (error) => {
          const entry = this.entries.get(key);
          if (entry) entry.lastError = `cannot watch ${kind}s in ${namespace === ALL_NAMESPACES ? 'all namespaces' : `namespace ${namespace}`}: ${apiMessage(error).slice(0, 300)}`;
          this.onError(kind, namespace, error);
        },
      },
    );
    const entry: Entry = { informer, started: informer.start() };
    this.entries.set(key, entry);
    return entry;
  }

  private listCall(kind: HostObjectKind, namespace: string, labelSelector: string): Promise<KubernetesListObject<HostObject>> {
    const { core } = this.host;
    const selector = labelSelector ? { labelSelector } : {};
    if (namespace === ALL_NAMESPACES) return kind === 'Secret' ? core.listSecretForAllNamespaces(selector) : core.listConfigMapForAllNamespaces(selector);
    return kind === 'Secret' ? core.listNamespacedSecret({ namespace, ...selector }) : core.listNamespacedConfigMap({ namespace, ...selector });
  }
}

function entryKey(kind: HostObjectKind, namespace: string, labelSelector: string): string {
  return `${kind}/${namespace}/${labelSelector}`;
}

function watchPath(kind: HostObjectKind, namespace: string): string {
  const resource = kind === 'Secret' ? 'secrets' : 'configmaps';
  return namespace === ALL_NAMESPACES ? `/api/v1/${resource}` : `/api/v1/namespaces/${namespace}/${resource}`;
}
