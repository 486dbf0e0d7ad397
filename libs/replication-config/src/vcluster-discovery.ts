import { dns1123LabelError } from '@service-replicator/references';
import { parse } from 'yaml';
import type { ConfigIssue, TenantSpec, ToHostMode } from './model';

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

/** Per-tenant options of a discovered vCluster, as annotations on its `vc-config-<name>` Secret. */
export const DISCOVERY_ANNOTATIONS = {
  fromHostNamespaces: 'replicator.service-replicator.io/from-host-namespaces',
  allowedHostNamespaces: 'replicator.service-replicator.io/allowed-host-namespaces',
  toHostMode: 'replicator.service-replicator.io/to-host-mode',
  adoptVClusterMirrors: 'replicator.service-replicator.io/adopt-vcluster-mirrors',
  endpoints: 'replicator.service-replicator.io/endpoints',
} as const;

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
 * = the config Secret's `config.yaml`, options from the config Secret's annotations (defaults:
 * fromHost sources only from its own namespace, no allowed host namespaces, toHostMode selector, no
 * adoption, no Endpoints). Its host identity is the default one (hostServiceAccountOf).
 */
export function discoverTenants(secrets: readonly DiscoverySecret[], serverTemplate: string): DiscoveredTenant[] {
  const byKey = new Map(secrets.map((secret) => [`${secret.metadata?.namespace}/${secret.metadata?.name}`, secret]));
  const found: DiscoveredTenant[] = [];
  for (const secret of secrets) {
    const release = configRelease(secret);
    if (release === undefined) continue;
    const namespace = secret.metadata?.namespace ?? '';
    const kubeconfig = byKey.get(`${namespace}/${VCLUSTER_KUBECONFIG_PREFIX}${release}`);
    if (!kubeconfig || kubeconfig.metadata?.labels?.['vcluster-name'] !== release) continue;
    found.push(discovered(release, namespace, secret, kubeconfig, serverTemplate));
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

function discovered(name: string, namespace: string, config: DiscoverySecret, kubeconfig: DiscoverySecret, template: string): DiscoveredTenant {
  const where = (secret: DiscoverySecret) => `Secret ${namespace}/${secret.metadata?.name}`;
  const issues: ConfigIssue[] = [];
  const nameError = dns1123LabelError(name, 'tenant name');
  if (nameError) issues.push({ path: where(config), message: nameError });
  if (config.data?.[VCLUSTER_CONFIG_KEY] === undefined) issues.push({ path: where(config), message: `has no key "${VCLUSTER_CONFIG_KEY}"` });
  const text = kubeconfig.data?.[VCLUSTER_KUBECONFIG_KEY];
  const { server, problem } = text === undefined ? { problem: `has no key "${VCLUSTER_KUBECONFIG_KEY}"` } : kubeconfigServer(Buffer.from(text, 'base64').toString('utf8'));
  if (problem) issues.push({ path: where(kubeconfig), message: `kubeconfig ${problem}` });
  const options = optionsOf(config.metadata?.annotations ?? {}, where(config), issues);
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

type TenantOptions = Pick<TenantSpec, 'allowedHostNamespaces' | 'fromHostNamespaces' | 'toHostMode' | 'adoptVClusterMirrors' | 'endpoints'>;

/** Options from annotations; a bad value is an issue naming the annotation (and the tenant keeps its last good spec). */
function optionsOf(annotations: Readonly<Record<string, string>>, where: string, issues: ConfigIssue[]): TenantOptions | undefined {
  const before = issues.length;
  const issue = (annotation: string, message: string) => issues.push({ path: `${where} annotation ${annotation}`, message });
  const namespaces = (annotation: string): string[] => {
    const listed = (annotations[annotation] ?? '').split(',').map((part) => part.trim()).filter((part) => part !== '');
    for (const namespace of listed) {
      const error = dns1123LabelError(namespace, 'namespace');
      if (error) issue(annotation, error);
    }
    return listed;
  };
  const allowedHostNamespaces = namespaces(DISCOVERY_ANNOTATIONS.allowedHostNamespaces);
  const fromHostNamespaces = namespaces(DISCOVERY_ANNOTATIONS.fromHostNamespaces);
  const mode = annotations[DISCOVERY_ANNOTATIONS.toHostMode] ?? 'selector';
  if (mode !== 'selector' && mode !== 'endpoints') issue(DISCOVERY_ANNOTATIONS.toHostMode, `must be selector or endpoints, got "${mode.slice(0, 100)}"`);
  const flag = (annotation: string): boolean => {
    const value = annotations[annotation];
    if (value === undefined || value === 'false') return false;
    if (value === 'true') return true;
    issue(annotation, `must be "true" or "false", got "${value.slice(0, 100)}"`);
    return false;
  };
  const adoptVClusterMirrors = flag(DISCOVERY_ANNOTATIONS.adoptVClusterMirrors);
  const endpoints = flag(DISCOVERY_ANNOTATIONS.endpoints);
  if (issues.length > before) return undefined;
  // Set only when true, as the tenants file does, so a tenant's published spec does not change for nothing.
  return {
    allowedHostNamespaces,
    ...(fromHostNamespaces.length > 0 ? { fromHostNamespaces } : {}),
    toHostMode: mode as ToHostMode,
    ...(adoptVClusterMirrors ? { adoptVClusterMirrors } : {}),
    ...(endpoints ? { endpoints } : {}),
  };
}
