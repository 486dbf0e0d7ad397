import type { KubeConfig } from '@kubernetes/client-node';
import { hostServiceAccountOf, serviceAccountUser, type TenantSpec } from '@service-replicator/replication-config';
import { apiMessage } from './api-error';
import { ClusterClient, type KubeClusters } from './cluster-client';
import { impersonating, loadKubeConfig } from './kube-config';

/** Kubeconfigs held in host Secrets are re-read this often, so a rotated credential is picked up. */
const SECRET_MAX_AGE_MS = 5 * 60_000;

interface CachedTenant {
  readonly source: string;
  readonly loadedAt: number;
  readonly client: ClusterClient;
}

/**
 * The host cluster's client (this app's own identity), one client per tenant cluster built from its
 * TenantSpec on first use, and per tenant a host client that acts as the tenant's host identity.
 */
export class ClusterRegistry implements KubeClusters {
  readonly host: ClusterClient;
  private readonly tenants = new Map<string, CachedTenant>();
  private readonly hostIdentities = new Map<string, ClusterClient>();

  constructor(hostKubeConfig: KubeConfig, private readonly now: () => number = Date.now) {
    this.host = new ClusterClient('host', hostKubeConfig);
  }

  async tenant(spec: TenantSpec): Promise<ClusterClient> {
    const source = JSON.stringify(spec.kubeconfig);
    const cached = this.tenants.get(spec.name);
    const fresh = cached && cached.source === source && ('file' in spec.kubeconfig || this.now() - cached.loadedAt < SECRET_MAX_AGE_MS);
    if (cached && fresh) return cached.client;
    const client = new ClusterClient(`tenant ${spec.name}`, await this.tenantKubeConfig(spec));
    this.tenants.set(spec.name, { source, loadedAt: this.now(), client });
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
  }

  private async tenantKubeConfig(spec: TenantSpec): Promise<KubeConfig> {
    if ('file' in spec.kubeconfig) return loadKubeConfig({ file: spec.kubeconfig.file });
    const { namespace, name, key } = spec.kubeconfig.secret;
    const where = `Secret ${namespace}/${name} key "${key}"`;
    const secret = await this.host.core.readNamespacedSecret({ namespace, name }).catch((error: unknown) => {
      throw new Error(`tenant ${spec.name}: cannot read its kubeconfig, ${where}: ${apiMessage(error)}`);
    });
    const data = secret.data?.[key];
    if (!data) throw new Error(`tenant ${spec.name}: ${where} does not exist (the Secret has ${Object.keys(secret.data ?? {}).length} other key(s))`);
    return loadKubeConfig({ text: Buffer.from(data, 'base64').toString('utf8'), name: `of tenant ${spec.name} (${where})` });
  }
}
