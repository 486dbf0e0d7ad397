import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TENANT_ACCESS_RULES, tenantHostGrants } from './tenant-rbac';
import { tenantClusterRoles, tenantRoleBindings } from './tenant-role-bindings';
import { TEST_TENANT } from './test-tenant.fixtures';

describe('tenantRoleBindings', () => {
  const identity = { namespace: 'sr-tenants', name: 'tenant-team-a' };

  it("binds the identity, in each namespace granted to it, to the ClusterRole of that namespace's access", () => {
    const bindings = tenantRoleBindings({ ...TEST_TENANT, hostServiceAccount: identity }, 'sr-tenant');
    const shown = bindings.map((b) => `${b.namespace}/${b.name} -> ${b.clusterRole} for ${b.serviceAccount.namespace}/${b.serviceAccount.name}`);
    assert.deepEqual(shown, [
      'my-host-namespace/sr-tenant-team-a -> sr-tenant-read for sr-tenants/tenant-team-a',
      'other/sr-tenant-team-a -> sr-tenant-read for sr-tenants/tenant-team-a',
      'vc-a/sr-tenant-team-a -> sr-tenant-write for sr-tenants/tenant-team-a',
      'shared/sr-tenant-team-a -> sr-tenant-write for sr-tenants/tenant-team-a',
    ]);
  });

  it('grants exactly what tenantHostGrants does: each ClusterRole holds the rules of its access', () => {
    for (const tenant of [TEST_TENANT, { ...TEST_TENANT, endpoints: true }, { ...TEST_TENANT, adoptVClusterMirrors: true, fromHostNamespaces: ['shared'] }]) {
      const roles = tenantClusterRoles('p');
      const byRole = new Map(Object.entries(roles).map(([access, name]) => [name, TENANT_ACCESS_RULES[access as keyof typeof roles]]));
      const viaBindings = tenantRoleBindings(tenant, 'p').map((b) => ({ namespace: b.namespace, rules: byRole.get(b.clusterRole) }));
      assert.deepEqual(viaBindings, tenantHostGrants(tenant).roles.map((role) => ({ namespace: role.namespace, rules: role.rules })));
    }
  });

  it('writes core/v1 Endpoints only for a tenant that needs them', () => {
    assert.deepEqual(new Set(tenantRoleBindings({ ...TEST_TENANT, endpoints: true }, 'p').map((b) => b.clusterRole)), new Set(['p-read', 'p-write-endpoints']));
    assert.ok(!TENANT_ACCESS_RULES.write.some((rule) => rule.resources.includes('endpoints')));
  });
});
