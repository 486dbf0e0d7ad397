import type { ObjectRef } from '@service-replicator/references';
import type { TenantSpec } from './model';
import { hostServiceAccountOf, sourceNamespacesOf, targetNamespacesOf } from './tenant-grants';

/** One RBAC PolicyRule, as plain data. */
export interface RbacRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
  readonly resourceNames?: readonly string[];
}

/**
 * What a tenant's identity may do in one host namespace: read fromHost sources there, write toHost
 * targets there (which includes reading them), or that and core/v1 Endpoints.
 */
export type TenantAccess = 'read' | 'write' | 'write-endpoints';

/** What a tenant's host identity is granted: a Role in each namespace it may read or write. */
export interface TenantHostGrants {
  readonly serviceAccount: ObjectRef;
  readonly roles: readonly { readonly namespace: string; readonly access: TenantAccess; readonly rules: readonly RbacRule[] }[];
}

/** A fromHost source namespace: a pass proves the read right with a GET; `plan` also lists slices. */
const SOURCE_RULES: readonly RbacRule[] = [
  { apiGroups: [''], resources: ['services'], verbs: ['get'] },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list'] },
];

/** A toHost target namespace: the mirror, its EndpointSlices, and Warning Events on it (Endpoints: ENDPOINTS_RULE). */
const TARGET_RULES: readonly RbacRule[] = [
  { apiGroups: [''], resources: ['services'], verbs: ['get', 'create', 'update', 'delete'] },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'create', 'update', 'delete'] },
  { apiGroups: [''], resources: ['events'], verbs: ['create'] },
];

/** core/v1 Endpoints in a target namespace, for a tenant with adoptVClusterMirrors or endpoints. */
const ENDPOINTS_RULE: RbacRule = { apiGroups: [''], resources: ['endpoints'], verbs: ['get', 'create', 'update', 'delete'] };

/** The rules of each kind of access (the Helm chart's tenant ClusterRoles hold exactly these). */
export const TENANT_ACCESS_RULES: Readonly<Record<TenantAccess, readonly RbacRule[]>> = {
  read: SOURCE_RULES,
  write: TARGET_RULES,
  'write-endpoints': [...TARGET_RULES, ENDPOINTS_RULE],
};

/**
 * The Roles a tenant's hostServiceAccount needs, and nothing more: read where its fromHost sources
 * may be, write where its toHost targets may be (the Helm chart renders the same for the tenants it
 * lists; tests and the sandbox apply these). The writer, which acts as it, needs only `impersonate`
 * on it: writerImpersonationRule.
 */
export function tenantHostGrants(tenant: TenantSpec): TenantHostGrants {
  const targets = targetNamespacesOf(tenant);
  const sources = sourceNamespacesOf(tenant).filter((namespace) => !targets.includes(namespace));
  const write: TenantAccess = tenant.adoptVClusterMirrors || tenant.endpoints ? 'write-endpoints' : 'write';
  const role = (namespace: string, access: TenantAccess) => ({ namespace, access, rules: TENANT_ACCESS_RULES[access] });
  return {
    serviceAccount: hostServiceAccountOf(tenant),
    roles: [...sources.map((namespace) => role(namespace, 'read')), ...targets.map((namespace) => role(namespace, write))],
  };
}

/** The writer's only host right over tenants: acting as exactly these ServiceAccounts (of one namespace). */
export function writerImpersonationRule(accounts: readonly ObjectRef[]): RbacRule {
  return { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['impersonate'], resourceNames: [...new Set(accounts.map((a) => a.name))].sort() };
}
