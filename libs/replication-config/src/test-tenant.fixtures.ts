import type { TenantSpec } from './model';

/** A tenant for parser tests: host namespace vc-a, toHost may also write into `shared`. */
export const TEST_TENANT: TenantSpec = {
  name: 'team-a',
  hostNamespace: 'vc-a',
  kubeconfig: { file: '/kubeconfig' },
  allowedHostNamespaces: ['shared'],
  config: { file: './vcluster.yaml' },
  toHostMode: 'selector',
};
