import { formatRef } from '@service-replicator/references';
import type { ConfigIssue, TenantSpec } from './model';
import { hostServiceAccountOf } from './tenant-grants';
import type { YamlSource } from './yaml-source';

/**
 * A tenant's host identity holds its grants, so nothing the tenant controls may run as it, and no
 * other tenant may share it. vCluster creates the tenant's pods in its host namespace, and a pod
 * can run as any ServiceAccount of its own namespace: no identity may live in a tenant's host
 * namespace.
 */
export function hostServiceAccountIssues(tenants: readonly TenantSpec[], defaulted: readonly boolean[], source: YamlSource): ConfigIssue[] {
  const hostNamespaceOwner = new Map(tenants.map((tenant) => [tenant.hostNamespace, tenant.name]));
  const firstUser = new Map<string, number>();
  const issues: ConfigIssue[] = [];
  tenants.forEach((tenant, index) => {
    const account = hostServiceAccountOf(tenant);
    const path = ['tenants', index, 'hostServiceAccount'];
    const shown = `ServiceAccount ${formatRef(account)}${defaulted[index] ? ' (the default)' : ''}`;
    const owner = hostNamespaceOwner.get(account.namespace);
    if (owner !== undefined) {
      issues.push(
        source.issue(
          path,
          `${shown} is in the host namespace of tenant "${owner}", where vCluster creates pods that may run as it; ` +
            'put it in a namespace where no tenant runs',
        ),
      );
    }
    const first = firstUser.get(formatRef(account));
    if (first === undefined) firstUser.set(formatRef(account), index);
    else issues.push(source.issue(path, `${shown} is already the identity of tenants[${first}]; tenants sharing one would share their grants`));
  });
  return issues;
}
