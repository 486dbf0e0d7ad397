import type { KubeConfig } from '@kubernetes/client-node';
import { hostServiceAccountOf, serviceAccountUser, type TenantSpec } from '@service-replicator/replication-config';
import { apiMessage } from './api-error';
import { ClusterClient, type KubeClusters } from './cluster-client';
import { AgentPool } from './keep-alive-kube-config';
import { impersonating, loadKubeConfig, withServer } from './kube-config';
import { SharedClients } from './shared-clients';

/** Kubeconfigs held in host Secrets are re-read this often, so a rotated credential is picked up. */
const SECRET_MAX_AGE_MS = 5 * 60_000;

interface CachedTenant {
  readonly source: string;
  readonly loadedAt: number;
  readonly client: ClusterClient;
}

export interface ClusterRegistryOptions {
  /** Sockets per API server and TLS identity for requests (watches hold their own). */
  readonly maxSockets?: number;
  readonly now?: () => number;
}

/**
 * The host cluster's client (this app's own identity), one client per tenant cluster built from its
 * TenantSpec on first use (tenants whose kubeconfigs come to the same API server identity share one
 * client and its agent), and per tenant a host client that acts as the tenant's host identity.
 */
export class ClusterRegistry implements KubeClusters {
  readonly host: ClusterClient;
  private readonly tenants = new Map<string, CachedTenant>();
  private readonly pool: AgentPool;
  private readonly shared = new SharedClients();
  private readonly now: () => number;
  private readonly hostIdentities = new Map<string, ClusterClient>();

  constructor(hostKubeConfig: KubeConfig, options: ClusterRegistryOptions = {}) {
    this.host = new ClusterClient('host', hostKubeConfig);
    this.pool = new AgentPool(options.maxSockets);
    this.now = options.now ?? Date.now;
  }

  async tenant(spec: TenantSpec): Promise<ClusterClient> {
    const source = JSON.stringify(spec.kubeconfig);
    const cached = this.tenants.get(spec.name);
    const fresh = cached && cached.source === source && ('file' in spec.kubeconfig || this.now() - cached.loadedAt < SECRET_MAX_AGE_MS);
    if (cached && fresh) return cached.client;
    const client = this.shared.clientFor(`tenant ${spec.name}`, await this.tenantKubeConfig(spec));
    this.tenants.set(spec.name, { source, loadedAt: this.now(), client });
    this.shared.keepOnly([...this.tenants.values()].map((tenant) => tenant.client));
    return client;
  }

  /**
   * The host cluster as the tenant's hostServiceAccount (impersonated): every host read and write
   * made for a tenant goes through this, so the API server enforces the tenant's grants even if
   * our own checks had a bug.
   */
  hostAs(spec: TenantSpec): ClusterClient {
    const user = serviceAccountUser(hostServiceAccountOf(spec));
    let client = this.hostIdentities.get(user);
    if (!client) {
      client = new ClusterClient('host', impersonating(this.host.kubeConfig, user), user);
      this.hostIdentities.set(user, client);
    }
    return client;
  }

  forget(tenant: string): void {
    this.tenants.delete(tenant);
    this.shared.keepOnly([...this.tenants.values()].map((cached) => cached.client));
  }

  /** How many distinct tenant clients (API server identities) are in use. */
  get clientCount(): number {
    return this.shared.size;
  }

  private async tenantKubeConfig(spec: TenantSpec): Promise<KubeConfig> {
    const kubeConfig = await this.loadTenantKubeConfig(spec);
    // Discovered vClusters: their kubeconfig names localhost, reachable from the host at their Service.
    return spec.kubeconfig.server ? withServer(kubeConfig, spec.kubeconfig.server) : kubeConfig;
  }

  private async loadTenantKubeConfig(spec: TenantSpec): Promise<KubeConfig> {
    if ('file' in spec.kubeconfig) return loadKubeConfig({ file: spec.kubeconfig.file }, this.pool);
    const { namespace, name, key } = spec.kubeconfig.secret;
    const where = `Secret ${namespace}/${name} key "${key}"`;
    const secret = await this.host.core.readNamespacedSecret({ namespace, name }).catch((error: unknown) => {
      throw new Error(`tenant ${spec.name}: cannot read its kubeconfig, ${where}: ${apiMessage(error)}`);
    });
    const data = secret.data?.[key];
    if (!data) throw new Error(`tenant ${spec.name}: ${where} does not exist (the Secret has ${Object.keys(secret.data ?? {}).length} other key(s))`);
    return loadKubeConfig({ text: Buffer.from(data, 'base64').toString('utf8'), name: `of tenant ${spec.name} (${where})` }, this.pool);
  }
}
