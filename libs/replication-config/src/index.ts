export { formatIssue, sortIssues } from './config-issue';
export { diffMappings, type MappingDiff } from './mapping-diff';
export { mappingKey, mappingKeyOf, parseMappingKey, type MappingKeyParts } from './mapping-key';
export { TENANT_DEFAULT_NAMESPACE } from './mapping-resolver';
export * from './model';
export { parseTenantConfig } from './tenant-config.parser';
export { parseTenantsFile } from './tenants-file.parser';
export { keysOf, watchPlan, type ClusterSide, type WatchedService, type WatchPlan } from './watch-plan';
export { resolveTenantPaths } from './tenant-paths';
export { networkPolicyWarnings } from './network-policy-check';
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
