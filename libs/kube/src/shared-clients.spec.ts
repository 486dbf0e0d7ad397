import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { withServer } from './kube-config';
import { apiServerIdentity, SharedClients } from './shared-clients';

function kubeConfig(server: string, token: string, userName = 'u'): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, caData: 'Y2E=', skipTLSVerify: false }],
    users: [{ name: userName, token }],
    contexts: [{ name: 'c', cluster: 'c', user: userName }],
    currentContext: 'c',
  });
  return kc;
}

describe('SharedClients', () => {
  it('gives tenants with the same API server and credentials one client, each under its own name', () => {
    const clients = new SharedClients();
    const a = clients.clientFor('tenant a', kubeConfig('https://10.0.0.1:443', 't'));
    const b = clients.clientFor('tenant b', kubeConfig('https://10.0.0.1:443', 't', 'another-user-name'));
    assert.equal(a.core, b.core, 'one API client');
    assert.equal(a.kubeConfig, b.kubeConfig);
    assert.deepEqual([a.name, b.name], ['tenant a', 'tenant b']);
    assert.equal(clients.size, 1);
  });

  it('tells apart another server or another credential, and drops clients nobody uses', () => {
    const clients = new SharedClients();
    const a = clients.clientFor('tenant a', kubeConfig('https://10.0.0.1:443', 't'));
    const otherToken = clients.clientFor('tenant b', kubeConfig('https://10.0.0.1:443', 't2'));
    const otherServer = clients.clientFor('tenant c', kubeConfig('https://10.0.0.2:443', 't'));
    assert.notEqual(a.core, otherToken.core);
    assert.notEqual(a.core, otherServer.core);
    assert.equal(clients.size, 3);
    clients.keepOnly([a]);
    assert.equal(clients.size, 1);
  });

  it('withServer replaces the address and keeps the CA and credentials', () => {
    const kc = withServer(kubeConfig('https://localhost:8443', 't'), 'https://team-a.vcluster-team-a:443');
    assert.equal(kc.getCurrentCluster()?.server, 'https://team-a.vcluster-team-a:443');
    assert.equal(kc.getCurrentCluster()?.caData, 'Y2E=');
    assert.equal(kc.getCurrentUser()?.token, 't');
    assert.notEqual(apiServerIdentity(kc), apiServerIdentity(kubeConfig('https://localhost:8443', 't')));
  });
});
