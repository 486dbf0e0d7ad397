import type { V1Secret } from '@kubernetes/client-node';
import { discoverTenants, VCLUSTER_APP_SELECTOR, type DiscoveredTenant } from '@service-replicator/replication-config';
import { ALL_NAMESPACES, type HostObjectInformers } from './host-object-informers';

export interface DiscoveryOptions {
  /** Namespaces searched, or `*` for all. */
  readonly namespaces: readonly string[] | typeof ALL_NAMESPACES;
  /** What the `vc-config-<name>` Secrets must also match, beside vCluster's own labels. */
  readonly labelSelector?: string;
  /** How a localhost kubeconfig server is rewritten (`{name}`, `{namespace}`). */
  readonly serverTemplate: string;
}

/**
 * Finds vCluster installations in the host cluster through two Secret watches per searched
 * namespace (no polling): the config Secrets (`app=vcluster,release`, and the user's selector) and
 * the kubeconfig Secrets (`app=vcluster,vcluster-name`), both as vCluster writes them.
 */
export class VClusterDiscovery {
  constructor(private readonly objects: HostObjectInformers, private readonly options: DiscoveryOptions) {}

  /** Starts the watches; resolves once each has listed (or failed and is being retried). */
  async start(): Promise<void> {
    await Promise.all(this.watches().map(({ namespace, selector }) => this.objects.ensure('Secret', namespace, selector)));
  }

  /** True once every watch has listed: until then, what is not found may still exist. */
  get synced(): boolean {
    return this.watches().every(({ namespace, selector }) => this.objects.listed('Secret', namespace, selector));
  }

  /** Why discovery cannot see everything it should (a watch that cannot list), if so. */
  errors(): string[] {
    return this.watches().flatMap(({ namespace, selector }) => this.objects.errorOf('Secret', namespace, selector) ?? []);
  }

  /** The vClusters the caches hold now. */
  tenants(): DiscoveredTenant[] {
    return discoverTenants(this.secrets(), this.options.serverTemplate);
  }

  /** A Secret the watches hold (a discovered tenant's config is read from here, not fetched). */
  secret(namespace: string, name: string): V1Secret | undefined {
    return this.secrets().find((secret) => secret.metadata?.namespace === namespace && secret.metadata?.name === name);
  }

  private secrets(): V1Secret[] {
    return this.watches().flatMap(({ namespace, selector }) => this.objects.list('Secret', namespace, selector) as V1Secret[]);
  }

  private watches(): { namespace: string; selector: string }[] {
    const { namespaces, labelSelector } = this.options;
    const configs = [VCLUSTER_APP_SELECTOR, 'release', ...(labelSelector ? [labelSelector] : [])].join(',');
    const kubeconfigs = `${VCLUSTER_APP_SELECTOR},vcluster-name`;
    const searched = namespaces === ALL_NAMESPACES ? [ALL_NAMESPACES] : namespaces;
    return searched.flatMap((namespace) => [
      { namespace, selector: configs },
      { namespace, selector: kubeconfigs },
    ]);
  }
}
