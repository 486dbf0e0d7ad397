import type { TenantSpec } from './model';

/**
 * A tenant for parser tests: host namespace vc-a, toHost may also write into `shared`, fromHost may
 * also read from `my-host-namespace` and `other`.
 */
export const TEST_TENANT: TenantSpec = {
  name: 'team-a',
  hostNamespace: 'vc-a',
  kubeconfig: { file: '/kubeconfig' },
  allowedHostNamespaces: ['shared'],
  config: { file: './vcluster.yaml' },
  toHostMode: 'selector',
  fromHostNamespaces: ['my-host-namespace', 'other'],
};
