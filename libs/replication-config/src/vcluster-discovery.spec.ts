import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DiscoveryPolicy } from './discovery-options';
import { discoverTenants, vClusterServer, type DiscoverySecret } from './vcluster-discovery';

const DEFAULT_TEMPLATE = 'https://{name}.{namespace}:443';
/** The platform lets discovered vClusters read `databases` and `shared`, and write into `shared` and `extra`. */
const POLICY: DiscoveryPolicy = { identityNamespace: 'sr-tenants', fromHostNamespaces: ['databases', 'shared'], allowedHostNamespaces: ['shared', 'extra'] };
const b64 = (text: string) => Buffer.from(text).toString('base64');

/** What vCluster's chart writes (chart/templates/config-secret.yaml). */
function configSecret(release: string, namespace: string, annotations?: Record<string, string>): DiscoverySecret {
  return {
    metadata: { name: `vc-config-${release}`, namespace, labels: { app: 'vcluster', chart: 'vcluster-0.30.0', release, heritage: 'Helm' }, annotations },
    data: { 'config.yaml': b64('networking:\n  replicateServices:\n    fromHost: []\n') },
  };
}

/** What vCluster's syncer writes (pkg/util/kubeconfig WriteKubeConfig). */
function kubeconfigSecret(name: string, namespace: string, server = 'https://localhost:8443'): DiscoverySecret {
  const kubeconfig = `apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority-data: Y2E=\n    server: ${server}\n  name: my-vcluster\ncontexts:\n- context:\n    cluster: my-vcluster\n    user: my-vcluster\n  name: my-vcluster\ncurrent-context: my-vcluster\nusers:\n- name: my-vcluster\n  user:\n    client-certificate-data: Y2VydA==\n    client-key-data: a2V5\n`;
  return {
    metadata: { name: `vc-${name}`, namespace, labels: { app: 'vcluster', 'vcluster-name': name } },
    data: { config: b64(kubeconfig), 'certificate-authority': b64('ca'), 'client-certificate': b64('cert'), 'client-key': b64('key'), token: '' },
  };
}

describe('vClusterServer', () => {
  it("rewrites vCluster's default localhost address to its Service, a name its certificate carries", () => {
    assert.equal(vClusterServer('https://localhost:8443', 'team-a', 'vcluster-team-a', DEFAULT_TEMPLATE), 'https://team-a.vcluster-team-a:443');
    assert.equal(vClusterServer('https://127.0.0.1:8443', 'x', 'ns', DEFAULT_TEMPLATE), 'https://x.ns:443');
  });

  it('keeps a server set through exportKubeConfig.server, and fills a custom template', () => {
    assert.equal(vClusterServer('https://team-a.example.com', 'team-a', 'ns', DEFAULT_TEMPLATE), undefined);
    assert.equal(vClusterServer('https://localhost:8443', 'a', 'ns', 'https://{name}.{namespace}.svc.cluster.local'), 'https://a.ns.svc.cluster.local');
  });
});

describe('discoverTenants', () => {
  it('makes a tenant of a vCluster from its two Secrets: release name, its namespace, the kubeconfig with its server rewritten, its config', () => {
    const found = discoverTenants([configSecret('team-a', 'vcluster-team-a'), kubeconfigSecret('team-a', 'vcluster-team-a')], DEFAULT_TEMPLATE, POLICY);
    assert.deepEqual(found, [
      {
        name: 'team-a',
        namespace: 'vcluster-team-a',
        issues: [],
        tenant: {
          name: 'team-a',
          hostNamespace: 'vcluster-team-a',
          kubeconfig: { secret: { namespace: 'vcluster-team-a', name: 'vc-team-a', key: 'config' }, server: 'https://team-a.vcluster-team-a:443' },
          config: { secret: { namespace: 'vcluster-team-a', name: 'vc-config-team-a', key: 'config.yaml' } },
          allowedHostNamespaces: [],
          toHostMode: 'selector',
          hostServiceAccount: { namespace: 'sr-tenants', name: 'tenant-team-a' },
        },
      },
    ]);
  });

  it('waits for the kubeconfig Secret of a vCluster still starting, and ignores Secrets that only look alike', () => {
    const lookalike = { ...configSecret('b', 'ns'), metadata: { ...configSecret('b', 'ns').metadata, labels: { app: 'vcluster', release: 'other' } } };
    const certs: DiscoverySecret = { metadata: { name: 'a-certs', namespace: 'ns', labels: { app: 'vcluster', 'vcluster-name': 'a' } }, data: {} };
    assert.deepEqual(discoverTenants([configSecret('a', 'ns'), certs, lookalike, kubeconfigSecret('b', 'ns'), kubeconfigSecret('c', 'ns')], DEFAULT_TEMPLATE, POLICY), []);
  });

  it('takes per-tenant options from annotations on the config Secret', () => {
    const annotations = {
      'replicator.service-replicator.io/allowed-host-namespaces': 'shared, extra',
      'replicator.service-replicator.io/from-host-namespaces': 'databases',
      'replicator.service-replicator.io/to-host-mode': 'endpoints',
      'replicator.service-replicator.io/adopt-vcluster-mirrors': 'true',
      'replicator.service-replicator.io/endpoints': 'false',
    };
    const [found] = discoverTenants([configSecret('a', 'ns', annotations), kubeconfigSecret('a', 'ns')], DEFAULT_TEMPLATE, POLICY);
    assert.deepEqual(found.tenant && { ...found.tenant, kubeconfig: undefined, config: undefined }, {
      name: 'a', hostNamespace: 'ns', kubeconfig: undefined, config: undefined, allowedHostNamespaces: ['shared', 'extra'], fromHostNamespaces: ['databases'], toHostMode: 'endpoints', adoptVClusterMirrors: true,
      hostServiceAccount: { namespace: 'sr-tenants', name: 'tenant-a' },
    });
  });

  it('takes a host identity named in the identity namespace, and refuses one elsewhere or another tenant\'s default', () => {
    const named = (value: string) => discoverTenants([configSecret('a', 'ns', { 'replicator.service-replicator.io/host-service-account': value }), kubeconfigSecret('a', 'ns')], DEFAULT_TEMPLATE, POLICY)[0];
    assert.deepEqual(named('platform-a').tenant?.hostServiceAccount, { namespace: 'sr-tenants', name: 'platform-a' });
    assert.deepEqual(named('sr-tenants/tenant-a').tenant?.hostServiceAccount, { namespace: 'sr-tenants', name: 'tenant-a' });
    const annotation = 'Secret ns/vc-config-a annotation replicator.service-replicator.io/host-service-account';
    const issues = (value: string) => named(value).issues.map((issue) => `${issue.path}: ${issue.message}`);
    assert.deepEqual(issues('service-replicator/sr-service-replicator-writer'), [
      `${annotation}: must name a ServiceAccount in "sr-tenants" (DISCOVERY_IDENTITY_NAMESPACE, the only namespace whose ServiceAccounts the writer may act as), as name or sr-tenants/name; got "service-replicator/sr-service-replicator-writer"`,
    ]);
    assert.deepEqual(issues('tenant-b'), [`${annotation}: "tenant-b" is the default identity of tenant "b"; name tenant-a or a name not starting with "tenant-"`]);
    assert.match(issues('Not_A_Name')[0], /ServiceAccount name/);
    assert.equal(named('tenant-b').tenant, undefined);
  });

  it('grants namespaces beyond its own only from what the platform made grantable', () => {
    const annotations = {
      'replicator.service-replicator.io/from-host-namespaces': 'shared,vcluster-b',
      'replicator.service-replicator.io/allowed-host-namespaces': 'kube-system',
    };
    const [found] = discoverTenants([configSecret('a', 'ns', annotations), kubeconfigSecret('a', 'ns')], DEFAULT_TEMPLATE, POLICY);
    assert.equal(found.tenant, undefined);
    assert.deepEqual(found.issues.map((issue) => issue.message), [
      'namespace "kube-system" may not be granted to a discovered vCluster (grantable: shared, extra; DISCOVERY_ALLOWED_HOST_NAMESPACES)',
      'namespace "vcluster-b" may not be granted to a discovered vCluster (grantable: databases, shared; DISCOVERY_FROM_HOST_NAMESPACES)',
    ]);
    const none = discoverTenants([configSecret('a', 'ns', annotations), kubeconfigSecret('a', 'ns')], DEFAULT_TEMPLATE, { ...POLICY, allowedHostNamespaces: [] });
    assert.match(none[0].issues[0].message, /\(none is grantable; DISCOVERY_ALLOWED_HOST_NAMESPACES\)/);
  });

  it('refuses a vCluster installed in the identity namespace, whose pods could run as any identity', () => {
    const [found] = discoverTenants([configSecret('x', 'sr-tenants'), kubeconfigSecret('x', 'sr-tenants')], DEFAULT_TEMPLATE, POLICY);
    assert.equal(found.tenant, undefined);
    assert.deepEqual(found.issues.map((issue) => issue.message), ["is in the namespace of the tenants' host identities (DISCOVERY_IDENTITY_NAMESPACE); a vCluster there is not replicated"]);
  });

  it('reports a bad annotation or kubeconfig where it is, and builds no tenant from it', () => {
    const bad = discoverTenants([
      configSecret('a', 'ns', { 'replicator.service-replicator.io/to-host-mode': 'pods', 'replicator.service-replicator.io/endpoints': 'yes' }),
      kubeconfigSecret('a', 'ns'),
      configSecret('b', 'ns'),
      { ...kubeconfigSecret('b', 'ns'), data: { config: b64('clusters: [') } },
    ], DEFAULT_TEMPLATE, POLICY);
    assert.deepEqual(bad.map((found) => [found.name, found.tenant, found.issues.map((issue) => `${issue.path}: ${issue.message}`)]), [
      ['a', undefined, [
        'Secret ns/vc-config-a annotation replicator.service-replicator.io/to-host-mode: must be selector or endpoints, got "pods"',
        'Secret ns/vc-config-a annotation replicator.service-replicator.io/endpoints: must be "true" or "false", got "yes"',
      ]],
      ['b', undefined, ['Secret ns/vc-b: kubeconfig is not YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 1, column 12:']],
    ]);
  });
});
