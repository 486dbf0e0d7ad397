import { Module } from '@nestjs/common';
import { Settings } from '@service-replicator/runtime';
import { ClusterClient } from './cluster-client';
import { ClusterRegistry } from './cluster-registry';
import { loadKubeConfig } from './kube-config';

/** The host cluster as this app's own identity (watchers, config sources); tenants' go through ClusterRegistry. */
export const HOST_CLUSTER_CLIENT = Symbol('HOST_CLUSTER_CLIENT');

/**
 * The clusters an app talks to, as providers: ClusterRegistry (the host from HOST_KUBECONFIG, or
 * in-cluster; a client per tenant cluster; the host as each tenant's identity) and the host's own
 * client. Apart from the library's index, so the CLI loads no Nest with it.
 */
@Module({
  providers: [
    {
      provide: ClusterRegistry,
      inject: [Settings],
      useFactory: (settings: Settings) => new ClusterRegistry(loadKubeConfig({ file: settings.HOST_KUBECONFIG }), { maxSockets: settings.KUBE_MAX_SOCKETS_PER_SERVER }),
    },
    { provide: HOST_CLUSTER_CLIENT, inject: [ClusterRegistry], useFactory: (clusters: ClusterRegistry): ClusterClient => clusters.host },
  ],
  exports: [ClusterRegistry, HOST_CLUSTER_CLIENT],
})
export class ClustersModule {}
