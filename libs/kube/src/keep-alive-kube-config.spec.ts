import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RequestContext } from '@kubernetes/client-node';
import { AgentPool, KeepAliveKubeConfig } from './keep-alive-kube-config';

function kubeConfig(certData: string, pool = new AgentPool(), server = 'https://127.0.0.1:6443', token?: string): KeepAliveKubeConfig {
  const kc = new KeepAliveKubeConfig(pool);
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, caData: b64('ca'), skipTLSVerify: false }],
    users: [token ? { name: 'u', token } : { name: 'u', certData: b64(certData), keyData: b64('key') }],
    contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
    currentContext: 'c',
  });
  return kc;
}

async function agentFor(kc: KeepAliveKubeConfig) {
  const context = new RequestContext('https://127.0.0.1:6443/api/v1/namespaces', 'GET' as never);
  await kc.applySecurityAuthentication(context);
  return context.getAgent();
}

describe('KeepAliveKubeConfig', () => {
  it('gives every request with the same TLS identity one keep-alive agent', async () => {
    const kc = kubeConfig('cert-1');
    const [first, second] = [await agentFor(kc), await agentFor(kc)];
    assert.equal(first, second);
    assert.equal((first as unknown as { keepAlive: boolean }).keepAlive, true);
  });

  it('uses a new agent when the client certificate changes', async () => {
    const kc = kubeConfig('cert-1');
    const before = await agentFor(kc);
    kc.users[0] = { ...kc.users[0], certData: Buffer.from('cert-2').toString('base64') };
    assert.notEqual(await agentFor(kc), before);
  });

  it('shares one agent, with a bounded number of sockets, among kubeconfigs of the same API server and identity', async () => {
    const pool = new AgentPool(4);
    const tenants = Array.from({ length: 50 }, () => kubeConfig('cert-1', pool));
    const agents = new Set(await Promise.all(tenants.map(agentFor)));
    assert.equal(agents.size, 1);
    assert.equal(([...agents][0] as unknown as { maxSockets: number }).maxSockets, 4);
    // Token identities travel in a header: tenants with different tokens share the server's agent too.
    const byToken = await Promise.all(['t1', 't2'].map((token) => agentFor(kubeConfig('', pool, 'https://127.0.0.1:7443', token))));
    assert.equal(byToken[0], byToken[1]);
    assert.notEqual(byToken[0], [...agents][0], 'another API server, another agent');
    assert.equal(pool.size, 2);
  });
});
