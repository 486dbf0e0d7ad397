import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadSettings, settingNames } from './settings';

describe('loadSettings: the operator listener', () => {
  it('is off unless OPERATOR_HTTP_PORT is set, so existing deployments serve everything on HTTP_PORT', () => {
    const settings = loadSettings({});
    assert.equal(settings.OPERATOR_HTTP_PORT, undefined);
    assert.equal(settings.OPERATOR_HTTP_HOST, undefined);
  });

  it('takes a port and an interface', () => {
    const settings = loadSettings({ OPERATOR_HTTP_PORT: '9090', OPERATOR_HTTP_HOST: '127.0.0.1' });
    assert.equal(settings.OPERATOR_HTTP_PORT, 9090);
    assert.equal(settings.OPERATOR_HTTP_HOST, '127.0.0.1');
  });

  it('refuses a port that is not one, naming the variable', () => {
    assert.throws(() => loadSettings({ OPERATOR_HTTP_PORT: '70000' }), /OPERATOR_HTTP_PORT="70000": .*must not be greater than 65535/);
    assert.throws(() => loadSettings({ OPERATOR_HTTP_PORT: 'eight' }), /OPERATOR_HTTP_PORT="eight": .*integer/);
  });

  it('refuses the health port, and an interface without a port', () => {
    assert.throws(() => loadSettings({ HTTP_PORT: '8080', OPERATOR_HTTP_PORT: '8080' }), /OPERATOR_HTTP_PORT=8080: must differ from HTTP_PORT/);
    assert.throws(() => loadSettings({ OPERATOR_HTTP_HOST: '127.0.0.1' }), /OPERATOR_HTTP_HOST="127.0.0.1": has no effect without OPERATOR_HTTP_PORT/);
  });

  it('lets both listeners pick free ports (0), as tests do', () => {
    assert.equal(loadSettings({ HTTP_PORT: '0', OPERATOR_HTTP_PORT: '0' }).OPERATOR_HTTP_PORT, 0);
  });
});

describe('loadSettings: Redis', () => {
  it('takes TLS files, Sentinel and Cluster settings', () => {
    const settings = loadSettings({ REDIS_URL: 'redis://:pw@r', REDIS_SENTINELS: 's-0:26379', REDIS_SENTINEL_MASTER: 'mymaster', REDIS_SENTINEL_PASSWORD: 'spw' });
    assert.equal(settings.REDIS_SENTINELS, 's-0:26379');
    assert.equal(settings.REDIS_SENTINEL_MASTER, 'mymaster');
    assert.equal(loadSettings({ REDIS_CLUSTER_NODES: 'n:6379', QUEUE_PREFIX: '{sr}' }).REDIS_CLUSTER_NODES, 'n:6379');
  });

  it('refuses a combination that cannot work, naming the variables and never echoing a password', () => {
    assert.throws(() => loadSettings({ REDIS_CLUSTER_NODES: 'n:6379' }), /QUEUE_PREFIX="sr": with REDIS_CLUSTER_NODES it must hold a hash tag, e.g. \{sr\}/);
    assert.throws(() => loadSettings({ REDIS_URL: 'rediss://r', REDIS_TLS_CA_FILE: '/nonexistent/ca.pem' }), /REDIS_TLS_CA_FILE="\/nonexistent\/ca.pem": cannot be read \(ENOENT\)/);
    assert.throws(
      () => loadSettings({ REDIS_SENTINELS: 's-0', REDIS_SENTINEL_MASTER: 'm', REDIS_SENTINEL_PASSWORD: 'hunter2' }),
      (error: Error) => /REDIS_SENTINELS: "s-0" is not host:port/.test(error.message) && !error.message.includes('hunter2'),
    );
  });
});

describe('loadSettings: discovery', () => {
  it("needs a namespace for discovered tenants' identities that discovery does not search", () => {
    assert.throws(() => loadSettings({ DISCOVERY_NAMESPACES: 'vc-a' }), /DISCOVERY_IDENTITY_NAMESPACE: required with DISCOVERY_NAMESPACES/);
    assert.throws(
      () => loadSettings({ DISCOVERY_NAMESPACES: 'vc-a,ids', DISCOVERY_IDENTITY_NAMESPACE: 'ids' }),
      /DISCOVERY_IDENTITY_NAMESPACE="ids": must not be searched by DISCOVERY_NAMESPACES="vc-a,ids"/,
    );
    assert.equal(loadSettings({ DISCOVERY_NAMESPACES: 'vc-a', DISCOVERY_IDENTITY_NAMESPACE: 'ids' }).DISCOVERY_IDENTITY_NAMESPACE, 'ids');
    // With every namespace searched, a vCluster found in the identity namespace is refused on its own.
    assert.equal(loadSettings({ DISCOVERY_NAMESPACES: '*', DISCOVERY_IDENTITY_NAMESPACE: 'ids' }).DISCOVERY_NAMESPACES, '*');
  });

  it('takes the grantable namespaces as lists of namespaces, and the tenant ClusterRoles by their prefix', () => {
    assert.throws(() => loadSettings({ DISCOVERY_FROM_HOST_NAMESPACES: 'shared, other' }), /DISCOVERY_FROM_HOST_NAMESPACES="shared, other": must be a comma-separated list/);
    assert.throws(() => loadSettings({ DISCOVERY_TENANT_CLUSTER_ROLES: 'Tenant Roles' }), /DISCOVERY_TENANT_CLUSTER_ROLES="Tenant Roles"/);
    const settings = loadSettings({ DISCOVERY_ALLOWED_HOST_NAMESPACES: 'shared,exposed', DISCOVERY_TENANT_CLUSTER_ROLES: 'sr-service-replicator-tenant' });
    assert.equal(settings.DISCOVERY_ALLOWED_HOST_NAMESPACES, 'shared,exposed');
    assert.equal(settings.DISCOVERY_TENANT_CLUSTER_ROLES, 'sr-service-replicator-tenant');
  });
});

describe('loadSettings: the variables it reads', () => {
  it('are the properties the Settings class declares, and no other variable of the environment', () => {
    const names = settingNames();
    for (const name of ['REDIS_URL', 'REDIS_TLS_CA_FILE', 'TENANTS_FILE', 'OPERATOR_HTTP_HOST', 'TRACE_UI_URL', 'LOG_LEVEL'] as const) assert.ok(names.includes(name), name);
    const settings = loadSettings({ TENANTS_FILE: '/etc/tenants.yaml', PATH: '/usr/bin', WRITER_CONCURRENCY: '3' });
    assert.equal(settings.TENANTS_FILE, '/etc/tenants.yaml');
    assert.equal(settings.WRITER_CONCURRENCY, 3);
    assert.equal((settings as unknown as Record<string, unknown>).PATH, undefined);
  });
});
