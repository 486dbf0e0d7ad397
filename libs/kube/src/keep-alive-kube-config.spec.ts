import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RequestContext } from '@kubernetes/client-node';
import { KeepAliveKubeConfig } from './keep-alive-kube-config';

function kubeConfig(certData: string): KeepAliveKubeConfig {
  const kc = new KeepAliveKubeConfig();
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:6443', caData: b64('ca'), skipTLSVerify: false }],
    users: [{ name: 'u', certData: b64(certData), keyData: b64('key') }],
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
});
