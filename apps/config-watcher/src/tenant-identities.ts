import { ALL_NAMESPACES, TenantIdentityBindings, type ClusterClient } from '@service-replicator/kube';
import { hostServiceAccountOf, tenantRoleBindings, type ConfigIssue, type DiscoveryPolicy, type TenantSpec } from '@service-replicator/replication-config';
import type { PublishedTenant } from '@service-replicator/replication-queue';
import type { Logger, Settings } from '@service-replicator/runtime';

/** Where a provisioning problem shows in a tenant's check. */
const ISSUE_PATH = 'host identity';

/**
 * Zero-touch host identities: every tenant whose host identity lives in the identity namespace
 * (DISCOVERY_IDENTITY_NAMESPACE: discovered vClusters' identities) gets its grants as RoleBindings
 * to the chart's tenant ClusterRoles, made before its mappings are published, kept while any of its
 * mappings are (a retired tenant's during its removal grace too), and removed after. Nothing is
 * created for the identity itself: impersonating a ServiceAccount needs no object, only bindings.
 */
export class TenantIdentities {
  private ledWith: number | undefined;
  private reported = '';

  constructor(
    private readonly bindings: TenantIdentityBindings,
    private readonly identityNamespace: string,
    private readonly clusterRolePrefix: string,
    private readonly logger: Logger,
  ) {}

  /** Brings the bindings in line with the tenants in force; per tenant, what could not be done. */
  async provision(tenants: readonly TenantSpec[], published: ReadonlyMap<string, PublishedTenant>, leaseToken: number): Promise<ReadonlyMap<string, ConfigIssue[]>> {
    // A new leadership term starts from what is there, not from what an earlier term remembered.
    if (leaseToken !== this.ledWith) this.bindings.relistSoon();
    this.ledWith = leaseToken;
    const inForce = new Map(tenants.map((tenant) => [tenant.name, tenant]));
    for (const [name, record] of published) if (!inForce.has(name) && record.mappings.length > 0) inForce.set(name, record.tenant);
    const provisioned = [...inForce.values()].filter((tenant) => hostServiceAccountOf(tenant).namespace === this.identityNamespace);
    const errors = await this.bindings.reconcile(provisioned.flatMap((tenant) => tenantRoleBindings(tenant, this.clusterRolePrefix)));
    this.report(errors);
    return new Map([...errors].map(([tenant, message]) => [tenant, [{ path: ISSUE_PATH, message }]]));
  }

  /** Logged when the set of problems changes, not on every pass. */
  private report(errors: ReadonlyMap<string, string>): void {
    const shown = JSON.stringify([...errors]);
    if (shown === this.reported) return;
    if (errors.size > 0) this.logger.error({ errors: Object.fromEntries(errors) }, `cannot give every tenant identity its grants: ${[...errors.values()].join('; ')}`);
    else if (this.reported !== '') this.logger.info('every tenant identity has its grants');
    this.reported = shown;
  }
}

/** What discovered vClusters may be granted, from the settings; undefined without discovery. */
export function discoveryPolicy(settings: Settings): DiscoveryPolicy | undefined {
  const list = (value: string | undefined) => (value ? value.split(',') : []);
  const identityNamespace = settings.DISCOVERY_IDENTITY_NAMESPACE;
  if (!settings.DISCOVERY_NAMESPACES || !identityNamespace) return undefined;
  return { identityNamespace, fromHostNamespaces: list(settings.DISCOVERY_FROM_HOST_NAMESPACES), allowedHostNamespaces: list(settings.DISCOVERY_ALLOWED_HOST_NAMESPACES) };
}

/** Provisioning, when the chart's tenant ClusterRoles are named (DISCOVERY_TENANT_CLUSTER_ROLES); undefined otherwise. */
export function tenantIdentities(settings: Settings, host: ClusterClient, policy: DiscoveryPolicy | undefined, logger: Logger): TenantIdentities | undefined {
  const prefix = settings.DISCOVERY_TENANT_CLUSTER_ROLES;
  const searched = settings.DISCOVERY_NAMESPACES;
  if (!prefix || !searched || !policy) return undefined;
  // Bindings can be where discovered tenants live and where they may be granted more.
  const namespaces = searched === ALL_NAMESPACES ? ALL_NAMESPACES : [...new Set([...searched.split(','), ...policy.fromHostNamespaces, ...policy.allowedHostNamespaces])];
  const bindings = new TenantIdentityBindings(host.kubeConfig, { clusterRolePrefix: prefix, namespaces, relistEveryMs: settings.RESYNC_INTERVAL_SECONDS * 1000 });
  return new TenantIdentities(bindings, policy.identityNamespace, prefix, logger);
}
