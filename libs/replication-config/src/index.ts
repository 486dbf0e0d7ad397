export { formatIssue, MAX_REPORTED_ISSUES, sortIssues } from './config-issue';
export { decodeConfigBytes } from './config-text';
export { diffMappings, type MappingDiff } from './mapping-diff';
export { mappingKey, mappingKeyOf, parseMappingKey, type MappingKeyParts } from './mapping-key';
export { TENANT_DEFAULT_NAMESPACE } from './mapping-resolver';
export * from './model';
export { parseTenantConfig } from './tenant-config.parser';
export { parseTenantsFile } from './tenants-file.parser';
export { keysOf, watchPlan, type ClusterSide, type WatchedService, type WatchPlan } from './watch-plan';
export { resolveTenantPaths } from './tenant-paths';
export { networkPolicyWarnings } from './network-policy-check';
export { VCLUSTER_NETWORKING_KEYS, VCLUSTER_TOP_LEVEL_KEYS } from './vcluster-keys';
export { mappingsInForce, nextDeadline, planFromConfig, planRetirement, planTenant, type PublicationPlan, type TenantPublication } from './publication-plan';
export {
  DEFAULT_HOST_SERVICE_ACCOUNT_NAMESPACE,
  DEFAULT_TENANT_LIMITS,
  defaultHostServiceAccount,
  hostServiceAccountOf,
  serviceAccountUser,
  sourceNamespacesOf,
  targetNamespacesOf,
  type TenantLimits,
} from './tenant-grants';
export { tenantHostGrants, writerImpersonationRule, type RbacRule, type TenantHostGrants } from './tenant-rbac';
export {
  DISCOVERY_ANNOTATIONS,
  discoverTenants,
  kubeconfigServer,
  VCLUSTER_APP_SELECTOR,
  VCLUSTER_CONFIG_KEY,
  VCLUSTER_CONFIG_PREFIX,
  VCLUSTER_KUBECONFIG_KEY,
  VCLUSTER_KUBECONFIG_PREFIX,
  vClusterServer,
  type DiscoveredTenant,
  type DiscoverySecret,
} from './vcluster-discovery';
