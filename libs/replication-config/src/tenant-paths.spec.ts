import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TenantSpec } from './model';
import { resolveTenantPaths } from './tenant-paths';

const tenant: TenantSpec = {
  name: 'a',
  hostNamespace: 'vc-a',
  kubeconfig: { file: 'kube/a.yaml' },
  allowedHostNamespaces: [],
  config: { file: '/etc/a.yaml' },
  toHostMode: 'selector',
};

describe('resolveTenantPaths', () => {
  it('resolves relative files against the tenants file folder and keeps absolute ones', () => {
    const resolved = resolveTenantPaths(tenant, '/srv/tenants');
    assert.deepEqual(resolved.kubeconfig, { file: '/srv/tenants/kube/a.yaml' });
    assert.deepEqual(resolved.config, { file: '/etc/a.yaml' });
  });

  it('leaves Secret and ConfigMap sources alone', () => {
    const secret = { secret: { namespace: 'ns', name: 's', key: 'k' } };
    const resolved = resolveTenantPaths({ ...tenant, kubeconfig: secret, config: { configMap: secret.secret } }, '/srv');
    assert.deepEqual(resolved.kubeconfig, secret);
    assert.deepEqual(resolved.config, { configMap: secret.secret });
  });
});
