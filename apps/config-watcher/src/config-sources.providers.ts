import type { Provider } from '@nestjs/common';
import { ALL_NAMESPACES, HostObjectInformers, VClusterDiscovery, type ClusterClient } from '@service-replicator/kube';
import { HOST_CLUSTER_CLIENT } from '@service-replicator/kube/clusters.module';
import { LOGGER, Settings, type Logger } from '@service-replicator/runtime';
import { ConfigChanges } from './config-changes';
import { ConfigSources } from './config-sources';
import { discoveryPolicy, tenantIdentities, type TenantIdentities } from './tenant-identities';
import { TenantSources } from './tenant-sources';

/** vCluster discovery (VClusterDiscovery), or null without DISCOVERY_NAMESPACES. */
export const DISCOVERY = Symbol('DISCOVERY');
/** Discovered tenants' host identity bindings (TenantIdentities), or null without DISCOVERY_TENANT_CLUSTER_ROLES. */
export const TENANT_IDENTITIES = Symbol('TENANT_IDENTITIES');

/** Where tenants and their configs are read from: files, host ConfigMaps and Secrets (watched), vCluster discovery. */
export const CONFIG_SOURCE_PROVIDERS: Provider[] = [
  {
    provide: HostObjectInformers,
    inject: [HOST_CLUSTER_CLIENT, ConfigChanges, LOGGER],
    useFactory: (host: ClusterClient, changes: ConfigChanges, logger: Logger) =>
      new HostObjectInformers(host, () => changes.notify('config source changed'), (kind, namespace, error) =>
        logger.warn({ kind, namespace, err: error }, `watch of ${kind}s in ${namespace} failed; restarting`)),
  },
  {
    provide: DISCOVERY,
    inject: [Settings, HostObjectInformers],
    useFactory: (settings: Settings, objects: HostObjectInformers): VClusterDiscovery | null => {
      const searched = settings.DISCOVERY_NAMESPACES;
      if (!settings.TENANTS_FILE && !searched) {
        throw new Error('config-watcher needs TENANTS_FILE (the file that declares the tenants), DISCOVERY_NAMESPACES (where to find vClusters), or both');
      }
      // Settings refuse discovery without an identity namespace, so a policy is there whenever discovery is.
      const policy = discoveryPolicy(settings);
      if (!searched || !policy) return null;
      const namespaces = searched === ALL_NAMESPACES ? ALL_NAMESPACES : searched.split(',');
      return new VClusterDiscovery(objects, { namespaces, labelSelector: settings.DISCOVERY_LABEL_SELECTOR, serverTemplate: settings.DISCOVERY_SERVER, policy });
    },
  },
  {
    provide: TENANT_IDENTITIES,
    inject: [Settings, HOST_CLUSTER_CLIENT, LOGGER],
    useFactory: (settings: Settings, host: ClusterClient, logger: Logger): TenantIdentities | null =>
      tenantIdentities(settings, host, discoveryPolicy(settings), logger) ?? null,
  },
  {
    provide: ConfigSources,
    inject: [Settings, HostObjectInformers, DISCOVERY],
    useFactory: (settings: Settings, objects: HostObjectInformers, discovery: VClusterDiscovery | null) =>
      new ConfigSources(settings.TENANTS_FILE || undefined, objects, settings.CONFIG_SETTLE_MS, discovery ?? undefined),
  },
  {
    provide: TenantSources,
    inject: [ConfigSources, DISCOVERY, LOGGER, ConfigChanges],
    useFactory: (sources: ConfigSources, discovery: VClusterDiscovery | null, logger: Logger, changes: ConfigChanges) =>
      new TenantSources(sources, discovery ?? undefined, logger, (file) => changes.watchFile(file)),
  },
];
