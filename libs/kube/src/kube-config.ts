import { existsSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';
import { redactSecrets } from '@service-replicator/redaction';
import { DEFAULT_AGENT_POOL, KeepAliveKubeConfig, type AgentPool } from './keep-alive-kube-config';

const IN_CLUSTER_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/**
 * A KubeConfig from a file, from kubeconfig text (a tenant's Secret), or, with neither, the pod's
 * own service account when running in a cluster and the default kubeconfig otherwise. `source.name`
 * says where the text came from, for messages.
 */
export function loadKubeConfig(source: { file?: string; text?: string; name?: string } = {}, pool: AgentPool = DEFAULT_AGENT_POOL): KubeConfig {
  const kc = new KeepAliveKubeConfig(pool);
  const name = source.name ?? source.file ?? '(default)';
  try {
    if (source.text !== undefined) kc.loadFromString(source.text);
    else if (source.file) kc.loadFromFile(source.file);
    else if (existsSync(IN_CLUSTER_TOKEN)) kc.loadFromCluster();
    else kc.loadFromDefault();
  } catch (error) {
    // A new error, not a wrapped one: the parser's message quotes the lines around the problem,
    // which in a kubeconfig are tokens and keys.
    throw new Error(`kubeconfig ${name} cannot be read: ${withoutContent(error)}`);
  }
  if (!kc.getCurrentCluster()) throw new Error(`kubeconfig ${name} has no current cluster`);
  return kc;
}

/** What went wrong, never what the text says: js-yaml's position and reason, or the loader's own words. */
function withoutContent(error: unknown): string {
  const { reason, mark } = error as { reason?: unknown; mark?: { line?: unknown; column?: unknown } };
  if (typeof reason === 'string' && typeof mark?.line === 'number' && typeof mark.column === 'number') {
    return `not valid YAML: ${reason} at line ${mark.line + 1}, column ${mark.column + 1}`;
  }
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  return redactSecrets(error instanceof Error ? error.message : String(error), 300);
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
