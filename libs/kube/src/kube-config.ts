import { existsSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';
import { KeepAliveKubeConfig } from './keep-alive-kube-config';

const IN_CLUSTER_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/**
 * A KubeConfig from a file, from kubeconfig text (a tenant's Secret), or, with neither, the pod's
 * own service account when running in a cluster and the default kubeconfig otherwise.
 */
export function loadKubeConfig(source: { file?: string; text?: string } = {}): KubeConfig {
  const kc = new KeepAliveKubeConfig();
  if (source.text !== undefined) kc.loadFromString(source.text);
  else if (source.file) kc.loadFromFile(source.file);
  else if (existsSync(IN_CLUSTER_TOKEN)) kc.loadFromCluster();
  else kc.loadFromDefault();
  if (!kc.getCurrentCluster()) throw new Error(`kubeconfig ${source.file ?? '(default)'} has no current cluster`);
  return kc;
}

/**
 * The same cluster and credentials, every request made as `user` (Kubernetes impersonation): the
 * API server then authorizes each request against that user's grants, not ours. Ours need only
 * the `impersonate` verb on that user.
 */
export function impersonating(kubeConfig: KubeConfig, user: string): KubeConfig {
  const kc = new KeepAliveKubeConfig();
  kc.loadFromOptions({
    clusters: kubeConfig.clusters,
    contexts: kubeConfig.contexts,
    users: kubeConfig.users.map((entry) => ({ ...entry, impersonateUser: user })),
    currentContext: kubeConfig.currentContext,
  });
  return kc;
}
