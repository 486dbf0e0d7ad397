import type { ObjectRef } from '@service-replicator/references';
import type { TenantSpec } from './model';
import { tenantHostGrants, type TenantAccess } from './tenant-rbac';

/**
 * One RoleBinding that gives a tenant's host identity one kind of access in one namespace, through
 * a ClusterRole holding that access's rules (`<prefix>-read`, `<prefix>-write`,
 * `<prefix>-write-endpoints`: the Helm chart makes them). Binding a ClusterRole in a namespace grants
 * its rules in that namespace only.
 */
export interface TenantRoleBinding {
  readonly tenant: string;
  readonly namespace: string;
  /** `<prefix>-<tenant>`: one per tenant and namespace. */
  readonly name: string;
  readonly clusterRole: string;
  readonly serviceAccount: ObjectRef;
}

/** The names of the tenant ClusterRoles that share a prefix, by access. */
export function tenantClusterRoles(prefix: string): Readonly<Record<TenantAccess, string>> {
  return { read: `${prefix}-read`, write: `${prefix}-write`, 'write-endpoints': `${prefix}-write-endpoints` };
}

/** The RoleBindings that give a tenant's identity exactly tenantHostGrants: one per granted namespace. */
export function tenantRoleBindings(tenant: TenantSpec, clusterRolePrefix: string): TenantRoleBinding[] {
  const grants = tenantHostGrants(tenant);
  const roles = tenantClusterRoles(clusterRolePrefix);
  return grants.roles.map((role) => ({
    tenant: tenant.name,
    namespace: role.namespace,
    name: `${clusterRolePrefix}-${tenant.name}`,
    clusterRole: roles[role.access],
    serviceAccount: grants.serviceAccount,
  }));
}
