import { CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';

export interface Identity {
  /** The name RBAC bindings use: `system:serviceaccount:<namespace>:<name>`. */
  readonly username: string;
  readonly kubeConfig: KubeConfig;
}

function isConflict(error: unknown): boolean {
  return (error as { code?: number }).code === 409;
}

/**
 * A restricted identity: a ServiceAccount and a short-lived token from the TokenRequest API, the
 * way a pod of ours authenticates. It can do nothing until a test binds a Role to `username`.
 */
export async function mintServiceAccountIdentity(admin: KubeConfig, namespace: string, name: string): Promise<Identity> {
  const core = admin.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace } } }).catch((e) => { if (!isConflict(e)) throw e; });
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } }).catch((e) => { if (!isConflict(e)) throw e; });
  const request = await core.createNamespacedServiceAccountToken({ namespace, name, body: { spec: { audiences: [], expirationSeconds: 3600 } } });
  const token = request.status?.token;
  if (!token) throw new Error(`TokenRequest for ${namespace}/${name} returned no token`);

  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error('admin kubeconfig has no current cluster');
  const kubeConfig = new KubeConfig();
  const user = `${namespace}-${name}`;
  kubeConfig.loadFromOptions({
    clusters: [cluster],
    users: [{ name: user, token }],
    contexts: [{ name: user, cluster: cluster.name, user }],
    currentContext: user,
  });
  return { username: `system:serviceaccount:${namespace}:${name}`, kubeConfig };
}

/** A ServiceAccount and the Roles it gets, one per namespace (the shape of replication-config's TenantHostGrants). */
export interface ServiceAccountGrants {
  readonly serviceAccount: { readonly namespace: string; readonly name: string };
  readonly roles: readonly { readonly namespace: string; readonly rules: readonly PolicyRule[] }[];
}

interface PolicyRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
  readonly resourceNames?: readonly string[];
}

/**
 * Creates the ServiceAccount (and its namespace) and, in each namespace, a Role named after the
 * ServiceAccount with the given rules, bound to it; a Role already there is replaced, so grants can
 * be changed by a test.
 */
export async function grantRoles(admin: KubeConfig, grants: ServiceAccountGrants): Promise<void> {
  const core = admin.makeApiClient(CoreV1Api);
  const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
  const { namespace: accountNamespace, name: accountName } = grants.serviceAccount;
  const roleName = accountName;
  const ignoreConflict = (e: unknown) => { if (!isConflict(e)) throw e; };
  for (const namespace of new Set([accountNamespace, ...grants.roles.map((role) => role.namespace)])) {
    await core.createNamespace({ body: { metadata: { name: namespace } } }).catch(ignoreConflict);
  }
  await core.createNamespacedServiceAccount({ namespace: accountNamespace, body: { metadata: { name: accountName } } }).catch(ignoreConflict);
  for (const { namespace, rules } of grants.roles) {
    const role = {
      metadata: { name: roleName, namespace },
      rules: rules.map((rule) => ({
        apiGroups: [...rule.apiGroups],
        resources: [...rule.resources],
        verbs: [...rule.verbs],
        ...(rule.resourceNames ? { resourceNames: [...rule.resourceNames] } : {}),
      })),
    };
    await rbac.createNamespacedRole({ namespace, body: role }).catch(async (e: unknown) => {
      ignoreConflict(e);
      await rbac.replaceNamespacedRole({ namespace, name: roleName, body: role });
    });
    const binding = {
      metadata: { name: roleName, namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: roleName },
      subjects: [{ kind: 'ServiceAccount', name: accountName, namespace: accountNamespace }],
    };
    await rbac.createNamespacedRoleBinding({ namespace, body: binding }).catch(ignoreConflict);
  }
}

/** Removes the Roles grantRoles gave `serviceAccount` (and their bindings) from these namespaces: a grant taken back. */
export async function revokeRoles(admin: KubeConfig, serviceAccount: { readonly name: string }, namespaces: readonly string[]): Promise<void> {
  const roleName = serviceAccount.name;
  const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
  const ignoreMissing = (e: unknown) => { if ((e as { code?: number }).code !== 404) throw e; };
  for (const namespace of namespaces) {
    await rbac.deleteNamespacedRoleBinding({ namespace, name: roleName }).catch(ignoreMissing);
    await rbac.deleteNamespacedRole({ namespace, name: roleName }).catch(ignoreMissing);
  }
}
