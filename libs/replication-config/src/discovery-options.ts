import { dns1123LabelError, dns1123SubdomainError, quoteValue } from '@service-replicator/references';
import type { ConfigIssue, TenantSpec, ToHostMode } from './model';
import { defaultHostServiceAccountName } from './tenant-grants';

/** Per-tenant options of a discovered vCluster, as annotations on its `vc-config-<name>` Secret. */
export const DISCOVERY_ANNOTATIONS = {
  fromHostNamespaces: 'replicator.service-replicator.io/from-host-namespaces',
  allowedHostNamespaces: 'replicator.service-replicator.io/allowed-host-namespaces',
  toHostMode: 'replicator.service-replicator.io/to-host-mode',
  adoptVClusterMirrors: 'replicator.service-replicator.io/adopt-vcluster-mirrors',
  endpoints: 'replicator.service-replicator.io/endpoints',
  hostServiceAccount: 'replicator.service-replicator.io/host-service-account',
} as const;

/**
 * What the platform lets discovered vClusters have, whatever their annotations say (annotations can
 * be set from a vcluster.yaml, which a platform may let its tenants write).
 */
export interface DiscoveryPolicy {
  /** Where discovered tenants' host identities live (DISCOVERY_IDENTITY_NAMESPACE): the writer may act as any ServiceAccount there. */
  readonly identityNamespace: string;
  /** Host namespaces a discovered vCluster may be granted to read fromHost sources from (DISCOVERY_FROM_HOST_NAMESPACES). */
  readonly fromHostNamespaces: readonly string[];
  /** Host namespaces a discovered vCluster may be granted to write toHost targets into (DISCOVERY_ALLOWED_HOST_NAMESPACES). */
  readonly allowedHostNamespaces: readonly string[];
}

export type DiscoveredOptions = Pick<TenantSpec, 'allowedHostNamespaces' | 'fromHostNamespaces' | 'toHostMode' | 'adoptVClusterMirrors' | 'endpoints' | 'hostServiceAccount'>;

type IssueAt = (annotation: string, message: string) => void;

/**
 * A discovered tenant's options from its annotations, within the policy; a bad value is an issue
 * naming the annotation (and the tenant keeps its last good spec).
 */
export function optionsOf(tenant: string, annotations: Readonly<Record<string, string>>, policy: DiscoveryPolicy, where: string, issues: ConfigIssue[]): DiscoveredOptions | undefined {
  const before = issues.length;
  const issue: IssueAt = (annotation, message) => issues.push({ path: `${where} annotation ${annotation}`, message });
  const allowedHostNamespaces = grantedNamespaces(annotations, DISCOVERY_ANNOTATIONS.allowedHostNamespaces, policy.allowedHostNamespaces, 'DISCOVERY_ALLOWED_HOST_NAMESPACES', issue);
  const fromHostNamespaces = grantedNamespaces(annotations, DISCOVERY_ANNOTATIONS.fromHostNamespaces, policy.fromHostNamespaces, 'DISCOVERY_FROM_HOST_NAMESPACES', issue);
  const mode = annotations[DISCOVERY_ANNOTATIONS.toHostMode] ?? 'selector';
  if (mode !== 'selector' && mode !== 'endpoints') issue(DISCOVERY_ANNOTATIONS.toHostMode, `must be selector or endpoints, got ${quoteValue(mode)}`);
  const adoptVClusterMirrors = flag(annotations, DISCOVERY_ANNOTATIONS.adoptVClusterMirrors, issue);
  const endpoints = flag(annotations, DISCOVERY_ANNOTATIONS.endpoints, issue);
  const hostServiceAccount = identityOf(tenant, annotations[DISCOVERY_ANNOTATIONS.hostServiceAccount], policy.identityNamespace, issue);
  if (issues.length > before) return undefined;
  // Set only when true, as the tenants file does, so a tenant's published spec does not change for nothing.
  return {
    allowedHostNamespaces,
    ...(fromHostNamespaces.length > 0 ? { fromHostNamespaces } : {}),
    toHostMode: mode as ToHostMode,
    ...(adoptVClusterMirrors ? { adoptVClusterMirrors } : {}),
    ...(endpoints ? { endpoints } : {}),
    hostServiceAccount,
  };
}

/** A comma-separated list of namespaces, each one the platform lets discovered vClusters be granted. */
function grantedNamespaces(annotations: Readonly<Record<string, string>>, annotation: string, grantable: readonly string[], setting: string, issue: IssueAt): string[] {
  const listed = (annotations[annotation] ?? '').split(',').map((part) => part.trim()).filter((part) => part !== '');
  for (const namespace of listed) {
    const error = dns1123LabelError(namespace, 'namespace');
    if (error) issue(annotation, error);
    else if (!grantable.includes(namespace)) {
      const allowed = grantable.length > 0 ? `grantable: ${grantable.join(', ')}` : 'none is grantable';
      issue(annotation, `namespace ${quoteValue(namespace)} may not be granted to a discovered vCluster (${allowed}; ${setting})`);
    }
  }
  return listed;
}

function flag(annotations: Readonly<Record<string, string>>, annotation: string, issue: IssueAt): boolean {
  const value = annotations[annotation];
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  issue(annotation, `must be "true" or "false", got ${quoteValue(value)}`);
  return false;
}

/**
 * The tenant's host identity: `tenant-<name>` in the identity namespace, or the ServiceAccount
 * named there by the annotation (`name` or `<identity namespace>/name`). Another tenant's default
 * name is refused, so no vCluster can take the identity (and grants) of one discovered later.
 */
function identityOf(tenant: string, value: string | undefined, identityNamespace: string, issue: IssueAt): { namespace: string; name: string } {
  const own = { namespace: identityNamespace, name: defaultHostServiceAccountName(tenant) };
  if (value === undefined) return own;
  const annotation = DISCOVERY_ANNOTATIONS.hostServiceAccount;
  const parts = value.split('/');
  const [namespace, name] = parts.length === 2 ? parts : [identityNamespace, parts[0]];
  if (parts.length > 2 || namespace !== identityNamespace) {
    issue(annotation, `must name a ServiceAccount in ${quoteValue(identityNamespace)} (DISCOVERY_IDENTITY_NAMESPACE, the only namespace whose ServiceAccounts the writer may act as), as name or ${identityNamespace}/name; got ${quoteValue(value)}`);
    return own;
  }
  const error = dns1123SubdomainError(name, 'ServiceAccount name');
  if (error) issue(annotation, error);
  else if (name.startsWith(defaultHostServiceAccountName('')) && name !== own.name) {
    issue(annotation, `${quoteValue(name)} is the default identity of tenant ${quoteValue(name.slice(defaultHostServiceAccountName('').length))}; name ${own.name} or a name not starting with "${defaultHostServiceAccountName('')}"`);
  }
  return { namespace, name };
}
