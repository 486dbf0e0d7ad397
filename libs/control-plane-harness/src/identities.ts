import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';

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
