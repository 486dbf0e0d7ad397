import { createHash } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import { ClusterClient } from './cluster-client';

/**
 * What makes two kubeconfigs the same client: the API server, how it is trusted, and the user's
 * credentials (certificate, token, exec or auth-provider settings, impersonation).
 */
export function apiServerIdentity(kubeConfig: KubeConfig): string {
  const cluster = kubeConfig.getCurrentCluster();
  const user = kubeConfig.getCurrentUser();
  const trust = cluster && [cluster.server, cluster.caData, cluster.caFile, cluster.skipTLSVerify, cluster.tlsServerName, cluster.proxyUrl];
  const { name: _name, ...credentials } = user ?? { name: '' };
  return createHash('sha256').update(JSON.stringify([trust, credentials])).digest('hex');
}

/**
 * One client (API objects and their keep-alive agent) per API server identity, handed to every
 * tenant whose kubeconfig comes to the same: 200 tenants of one vCluster platform that share an
 * API server and a credential cost one client, not 200. Each tenant gets it under its own name
 * (logs, metrics), sharing everything else.
 */
export class SharedClients {
  private readonly clients = new Map<string, ClusterClient>();

  clientFor(name: string, kubeConfig: KubeConfig): ClusterClient {
    const identity = apiServerIdentity(kubeConfig);
    let shared = this.clients.get(identity);
    if (!shared) {
      shared = new ClusterClient(name, kubeConfig);
      this.clients.set(identity, shared);
    }
    return shared.name === name ? shared : shared.named(name);
  }

  /** Drops clients no tenant uses any more (after credentials rotated, or tenants left). */
  keepOnly(inUse: Iterable<ClusterClient>): void {
    const used = new Set([...inUse].map((client) => client.kubeConfig));
    for (const [identity, client] of this.clients) if (!used.has(client.kubeConfig)) this.clients.delete(identity);
  }

  get size(): number {
    return this.clients.size;
  }
}
