import { dns1123LabelError } from '@service-replicator/references';
import { parse } from 'yaml';
import { optionsOf, type DiscoveryPolicy } from './discovery-options';
import type { ConfigIssue, TenantSpec } from './model';

/** A host Secret as discovery reads it (the few fields it uses). */
export interface DiscoverySecret {
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  /** Base64 values, as the API returns them. */
  readonly data?: Readonly<Record<string, string>>;
}

/** vCluster's chart: Secret `vc-config-<release>` (labels app=vcluster, release=<release>), key config.yaml = the whole vcluster.yaml. */
export const VCLUSTER_CONFIG_PREFIX = 'vc-config-';
export const VCLUSTER_CONFIG_KEY = 'config.yaml';
/** vCluster's syncer (pkg/util/kubeconfig): Secret `vc-<name>` (labels app=vcluster, vcluster-name=<name>), key config = the kubeconfig. */
export const VCLUSTER_KUBECONFIG_PREFIX = 'vc-';
export const VCLUSTER_KUBECONFIG_KEY = 'config';
export const VCLUSTER_APP_SELECTOR = 'app=vcluster';

/** A vCluster found on the host: its tenant, or why its tenant cannot be built (the last good one stays). */
export interface DiscoveredTenant {
  readonly name: string;
  readonly namespace: string;
  readonly tenant?: TenantSpec;
  readonly issues: readonly ConfigIssue[];
}

/** Hosts vCluster's exported kubeconfig names by default (`https://localhost:8443`): reachable only inside its pod. */
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '0.0.0.0']);

/**
 * The address to reach a vCluster at from the host when its kubeconfig names localhost: the
 * template with `{name}` and `{namespace}` filled in (default: its Service, `https://<name>.<namespace>:443`,
 * a name its serving certificate carries). Undefined when the kubeconfig names another server (one
 * set through vCluster's exportKubeConfig.server), which is used as it is.
 */
export function vClusterServer(kubeconfigServer: string, name: string, namespace: string, template: string): string | undefined {
  let host: string;
  try {
    host = new URL(kubeconfigServer).hostname;
  } catch {
    return undefined;
  }
  if (!LOCAL_HOSTS.has(host)) return undefined;
  return template.replaceAll('{name}', name).replaceAll('{namespace}', namespace);
}

/** The server of a kubeconfig's current context, or why it has none. */
export function kubeconfigServer(text: string): { server?: string; problem?: string } {
  try {
    const doc = parse(text) as { 'current-context'?: string; contexts?: { name: string; context?: { cluster?: string } }[]; clusters?: { name: string; cluster?: { server?: string } }[] };
    const context = doc?.contexts?.find((c) => c.name === doc['current-context']) ?? doc?.contexts?.[0];
    const server = doc?.clusters?.find((c) => c.name === context?.context?.cluster)?.cluster?.server;
    return server ? { server } : { problem: 'has no server for its current context' };
  } catch (error) {
    return { problem: `is not YAML: ${(error as Error).message.split('\n')[0]}` };
  }
}

/**
 * The tenants that vCluster installations in `secrets` amount to: one per `vc-config-<name>`
 * Secret whose `vc-<name>` kubeconfig Secret is in the same namespace (a vCluster still starting has
 * no kubeconfig yet and is not a tenant yet). Name = the release, hostNamespace = its namespace,
 * kubeconfig = that Secret's `config` (its localhost server rewritten, see vClusterServer), config
 * = the config Secret's `config.yaml`, options from the config Secret's annotations within the
 * policy (defaults: fromHost sources only from its own namespace, no allowed host namespaces,
 * toHostMode selector, no adoption, no Endpoints, host identity `tenant-<name>` in the policy's
 * identity namespace).
 */
export function discoverTenants(secrets: readonly DiscoverySecret[], serverTemplate: string, policy: DiscoveryPolicy): DiscoveredTenant[] {
  const byKey = new Map(secrets.map((secret) => [`${secret.metadata?.namespace}/${secret.metadata?.name}`, secret]));
  const found: DiscoveredTenant[] = [];
  for (const secret of secrets) {
    const release = configRelease(secret);
    if (release === undefined) continue;
    const namespace = secret.metadata?.namespace ?? '';
    const kubeconfig = byKey.get(`${namespace}/${VCLUSTER_KUBECONFIG_PREFIX}${release}`);
    if (!kubeconfig || kubeconfig.metadata?.labels?.['vcluster-name'] !== release) continue;
    found.push(discovered(release, namespace, secret, kubeconfig, serverTemplate, policy));
  }
  return found.sort((a, b) => (a.namespace === b.namespace ? (a.name < b.name ? -1 : 1) : a.namespace < b.namespace ? -1 : 1));
}

/** The release of a vCluster config Secret, as vCluster's chart writes it. */
function configRelease(secret: DiscoverySecret): string | undefined {
  const name = secret.metadata?.name ?? '';
  if (!name.startsWith(VCLUSTER_CONFIG_PREFIX)) return undefined;
  const release = name.slice(VCLUSTER_CONFIG_PREFIX.length);
  const labels = secret.metadata?.labels ?? {};
  return labels.app === 'vcluster' && labels.release === release ? release : undefined;
}

function discovered(name: string, namespace: string, config: DiscoverySecret, kubeconfig: DiscoverySecret, template: string, policy: DiscoveryPolicy): DiscoveredTenant {
  const where = (secret: DiscoverySecret) => `Secret ${namespace}/${secret.metadata?.name}`;
  const issues: ConfigIssue[] = [];
  const nameError = dns1123LabelError(name, 'tenant name');
  if (nameError) issues.push({ path: where(config), message: nameError });
  if (namespace === policy.identityNamespace) {
    // vCluster creates its pods in its namespace, and a pod may run as any ServiceAccount there.
    issues.push({ path: where(config), message: `is in the namespace of the tenants' host identities (DISCOVERY_IDENTITY_NAMESPACE); a vCluster there is not replicated` });
  }
  if (config.data?.[VCLUSTER_CONFIG_KEY] === undefined) issues.push({ path: where(config), message: `has no key "${VCLUSTER_CONFIG_KEY}"` });
  const text = kubeconfig.data?.[VCLUSTER_KUBECONFIG_KEY];
  const { server, problem } = text === undefined ? { problem: `has no key "${VCLUSTER_KUBECONFIG_KEY}"` } : kubeconfigServer(Buffer.from(text, 'base64').toString('utf8'));
  if (problem) issues.push({ path: where(kubeconfig), message: `kubeconfig ${problem}` });
  const options = optionsOf(name, config.metadata?.annotations ?? {}, policy, where(config), issues);
  if (issues.length > 0 || !options) return { name, namespace, issues };
  const rewritten = server === undefined ? undefined : vClusterServer(server, name, namespace, template);
  const tenant: TenantSpec = {
    name,
    hostNamespace: namespace,
    kubeconfig: { secret: { namespace, name: kubeconfig.metadata?.name ?? '', key: VCLUSTER_KUBECONFIG_KEY }, ...(rewritten ? { server: rewritten } : {}) },
    config: { secret: { namespace, name: config.metadata?.name ?? '', key: VCLUSTER_CONFIG_KEY } },
    ...options,
  };
  return { name, namespace, tenant, issues: [] };
}
