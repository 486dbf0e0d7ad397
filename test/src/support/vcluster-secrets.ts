import { KubeConfig, type V1Secret } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import type { ControlPlane } from '@service-replicator/control-plane-harness';

/** vCluster's chart writes a release's whole values as `vc-config-<release>` (chart/templates/config-secret.yaml). */
export function vClusterConfigSecret(release: string, replicateServices: object, annotations: Record<string, string> = {}): V1Secret {
  const values = { controlPlane: { distro: { k8s: { enabled: true } } }, networking: { replicateServices } };
  return {
    metadata: { name: `vc-config-${release}`, labels: { app: 'vcluster', chart: 'vcluster-0.30.0', release, heritage: 'Helm' }, annotations },
    type: 'Opaque',
    data: { 'config.yaml': Buffer.from(stringify(values)).toString('base64') },
  };
}

/**
 * vCluster's syncer writes `vc-<name>` (pkg/util/kubeconfig WriteKubeConfig): the kubeconfig with
 * server https://localhost:8443 (reachable only inside the vCluster's pod), and its parts. `tenant`
 * plays the vCluster's API server.
 */
export function vClusterKubeconfigSecret(name: string, tenant: ControlPlane): V1Secret {
  const kc = new KubeConfig();
  kc.loadFromString(tenant.kubeConfig.exportConfig());
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  kc.loadFromOptions({
    clusters: [{ ...cluster, name: `vcluster_${name}`, server: 'https://localhost:8443' }],
    users: [{ ...user, name: `vcluster_${name}` }],
    contexts: [{ name: `vcluster_${name}`, cluster: `vcluster_${name}`, user: `vcluster_${name}` }],
    currentContext: `vcluster_${name}`,
  });
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  return {
    metadata: { name: `vc-${name}`, labels: { app: 'vcluster', 'vcluster-name': name } },
    type: 'Opaque',
    data: { config: b64(kc.exportConfig()), 'certificate-authority': cluster?.caData ?? '', 'client-certificate': user?.certData ?? '', 'client-key': user?.keyData ?? '', token: '' },
  };
}
