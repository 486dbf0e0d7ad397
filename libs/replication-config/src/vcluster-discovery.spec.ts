import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { discoverTenants, vClusterServer, type DiscoverySecret } from './vcluster-discovery';

const DEFAULT_TEMPLATE = 'https://{name}.{namespace}:443';
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
    const found = discoverTenants([configSecret('team-a', 'vcluster-team-a'), kubeconfigSecret('team-a', 'vcluster-team-a')], DEFAULT_TEMPLATE);
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
        },
      },
    ]);
  });

  it('waits for the kubeconfig Secret of a vCluster still starting, and ignores Secrets that only look alike', () => {
    const lookalike = { ...configSecret('b', 'ns'), metadata: { ...configSecret('b', 'ns').metadata, labels: { app: 'vcluster', release: 'other' } } };
    const certs: DiscoverySecret = { metadata: { name: 'a-certs', namespace: 'ns', labels: { app: 'vcluster', 'vcluster-name': 'a' } }, data: {} };
    assert.deepEqual(discoverTenants([configSecret('a', 'ns'), certs, lookalike, kubeconfigSecret('b', 'ns'), kubeconfigSecret('c', 'ns')], DEFAULT_TEMPLATE), []);
  });

  it('takes per-tenant options from annotations on the config Secret', () => {
    const annotations = {
      'replicator.service-replicator.io/allowed-host-namespaces': 'shared, extra',
      'replicator.service-replicator.io/from-host-namespaces': 'databases',
      'replicator.service-replicator.io/to-host-mode': 'endpoints',
      'replicator.service-replicator.io/adopt-vcluster-mirrors': 'true',
      'replicator.service-replicator.io/endpoints': 'false',
    };
    const [found] = discoverTenants([configSecret('a', 'ns', annotations), kubeconfigSecret('a', 'ns')], DEFAULT_TEMPLATE);
    assert.deepEqual(found.tenant && { ...found.tenant, kubeconfig: undefined, config: undefined }, {
      name: 'a', hostNamespace: 'ns', kubeconfig: undefined, config: undefined, allowedHostNamespaces: ['shared', 'extra'], fromHostNamespaces: ['databases'], toHostMode: 'endpoints', adoptVClusterMirrors: true,
    });
  });

  it('reports a bad annotation or kubeconfig where it is, and builds no tenant from it', () => {
    const bad = discoverTenants([
      configSecret('a', 'ns', { 'replicator.service-replicator.io/to-host-mode': 'pods', 'replicator.service-replicator.io/endpoints': 'yes' }),
      kubeconfigSecret('a', 'ns'),
      configSecret('b', 'ns'),
      { ...kubeconfigSecret('b', 'ns'), data: { config: b64('clusters: [') } },
    ], DEFAULT_TEMPLATE);
    assert.deepEqual(bad.map((found) => [found.name, found.tenant, found.issues.map((issue) => `${issue.path}: ${issue.message}`)]), [
      ['a', undefined, [
        'Secret ns/vc-config-a annotation replicator.service-replicator.io/to-host-mode: must be selector or endpoints, got "pods"',
        'Secret ns/vc-config-a annotation replicator.service-replicator.io/endpoints: must be "true" or "false", got "yes"',
      ]],
      ['b', undefined, ['Secret ns/vc-b: kubeconfig is not YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 1, column 12:']],
    ]);
  });
});
