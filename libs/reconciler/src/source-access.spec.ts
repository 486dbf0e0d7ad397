import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClusterClient } from '@service-replicator/kube';
import { SourceAccess } from './source-access';

/** A host client acting as a tenant: each GET answers from `answers` (status code), and is counted. */
function hostAs(user: string, answers: Record<string, number>) {
  const calls: string[] = [];
  const client = {
    actingAs: user,
    async readService(ref: { namespace: string; name: string }) {
      calls.push(ref.namespace);
      const code = answers[ref.namespace] ?? 200;
      if (code === 404) return undefined;
      if (code !== 200) throw Object.assign(new Error(`HTTP ${code}`), { code, body: JSON.stringify({ message: `services "${ref.name}" is forbidden` }) });
      return {};
    },
  };
  return { client: client as unknown as ClusterClient, calls };
}

describe('SourceAccess', () => {
  it('asks the API server once per tenant identity and namespace, then answers from memory until the answer expires', async () => {
    let now = 0;
    const access = new SourceAccess(() => now);
    const { client, calls } = hostAs('system:serviceaccount:sr:tenant-a', { 'vc-b': 403, missing: 404 });
    assert.equal(await access.refusal('a', client, { namespace: 'shared', name: 'db' }), undefined);
    assert.equal(await access.refusal('a', client, { namespace: 'shared', name: 'cache' }), undefined);
    assert.equal(await access.refusal('a', client, { namespace: 'missing', name: 'x' }), undefined, 'a 404 proves the right to read');
    const refused = await access.refusal('a', client, { namespace: 'vc-b', name: 'b-private' });
    assert.match(refused ?? '', /^forbidden: tenant "a" may not read host namespace "vc-b"; .* as system:serviceaccount:sr:tenant-a: services "b-private" is forbidden\)$/);
    assert.deepEqual(calls, ['shared', 'missing', 'vc-b']);

    now = 61_000; // a refusal is asked again after a minute, a grant after five
    await access.refusal('a', client, { namespace: 'vc-b', name: 'b-private' });
    await access.refusal('a', client, { namespace: 'shared', name: 'db' });
    assert.deepEqual(calls, ['shared', 'missing', 'vc-b', 'vc-b']);
    now = 301_000;
    await access.refusal('a', client, { namespace: 'shared', name: 'db' });
    assert.deepEqual(calls, ['shared', 'missing', 'vc-b', 'vc-b', 'shared']);
  });

  it('keeps no answer for an error that is not a refusal', async () => {
    const access = new SourceAccess(() => 0);
    const { client, calls } = hostAs('u', { shared: 503 });
    await assert.rejects(access.refusal('a', client, { namespace: 'shared', name: 'db' }), /HTTP 503/);
    await assert.rejects(access.refusal('a', client, { namespace: 'shared', name: 'db' }), /HTTP 503/);
    assert.equal(calls.length, 2);
  });
});
