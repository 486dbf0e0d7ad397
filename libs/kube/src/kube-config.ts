import { existsSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';
import { DEFAULT_AGENT_POOL, KeepAliveKubeConfig, type AgentPool } from './keep-alive-kube-config';

const IN_CLUSTER_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/**
 * A KubeConfig from a file, from kubeconfig text (a tenant's Secret), or, with neither, the pod's
 * own service account when running in a cluster and the default kubeconfig otherwise.
 */
export function loadKubeConfig(source: { file?: string; text?: string } = {}, pool: AgentPool = DEFAULT_AGENT_POOL): KubeConfig {
  const kc = new KeepAliveKubeConfig(pool);
  if (source.text !== undefined) kc.loadFromString(source.text);
  else if (source.file) kc.loadFromFile(source.file);
  else if (existsSync(IN_CLUSTER_TOKEN)) kc.loadFromCluster();
  else kc.loadFromDefault();
  if (!kc.getCurrentCluster()) throw new Error(`kubeconfig ${source.file ?? '(default)'} has no current cluster`);
  return kc;
}

/** The same kubeconfig with its current cluster's server replaced (its CA and credentials kept). */
export function withServer(kubeConfig: KubeConfig, server: string): KubeConfig {
  const current = kubeConfig.getCurrentCluster();
  if (!current) return kubeConfig;
  kubeConfig.loadFromOptions({
    clusters: kubeConfig.clusters.map((cluster) => (cluster.name === current.name ? { ...cluster, server } : cluster)),
    users: kubeConfig.users,
    contexts: kubeConfig.contexts,
    currentContext: kubeConfig.currentContext,
  });
  return kubeConfig;
}
