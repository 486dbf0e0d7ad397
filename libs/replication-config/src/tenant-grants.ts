import type { ObjectRef } from '@service-replicator/references';
import type { TenantSpec } from './model';

/**
 * Where a tenant's host identities live unless its entry names one. Never a tenant's host
 * namespace: vCluster creates pods there, and a pod may run as any ServiceAccount of its namespace.
 */
export const DEFAULT_HOST_SERVICE_ACCOUNT_NAMESPACE = 'service-replicator';

/** `tenant-<name>`: the name of a tenant's host identity unless its entry names one. */
export function defaultHostServiceAccountName(tenant: string): string {
  return `tenant-${tenant}`;
}

/** `tenant-<name>` in DEFAULT_HOST_SERVICE_ACCOUNT_NAMESPACE, as documented in the README. */
export function defaultHostServiceAccount(tenant: string): ObjectRef {
  return { namespace: DEFAULT_HOST_SERVICE_ACCOUNT_NAMESPACE, name: defaultHostServiceAccountName(tenant) };
}

/** The ServiceAccount a tenant's host reads and writes are made as. */
export function hostServiceAccountOf(tenant: TenantSpec): ObjectRef {
  return tenant.hostServiceAccount ?? defaultHostServiceAccount(tenant.name);
}

/** The user name the API server knows a ServiceAccount by (what impersonation asks for). */
export function serviceAccountUser(account: ObjectRef): string {
  return `system:serviceaccount:${account.namespace}:${account.name}`;
}

/** Host namespaces a tenant's fromHost sources may be read from: its own, then those granted. */
export function sourceNamespacesOf(tenant: TenantSpec): string[] {
  return unique([tenant.hostNamespace, ...(tenant.fromHostNamespaces ?? [])]);
}

/** Host namespaces a tenant's toHost targets may be written into: its own, then those allowed. */
export function targetNamespacesOf(tenant: TenantSpec): string[] {
  return unique([tenant.hostNamespace, ...tenant.allowedHostNamespaces]);
}

/** Limits on what one tenant's config may ask for, so one tenant cannot load the rest. */
export interface TenantLimits {
  /** Entries of both directions together (MAX_MAPPINGS_PER_TENANT). */
  readonly maxMappings: number;
  /** Distinct host namespaces fromHost entries read from: two WATCHes each (MAX_SOURCE_NAMESPACES_PER_TENANT). */
  readonly maxSourceNamespaces: number;
}

export const DEFAULT_TENANT_LIMITS: TenantLimits = { maxMappings: 2_000, maxSourceNamespaces: 20 };

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
