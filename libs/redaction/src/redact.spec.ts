import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { errorMessage, redactSecrets, redactValue } from './redact';

const TOKEN = 'sr-planted-7c1e0f3b9a5d42e8b6f1';
const KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const KEY_BODY = KEY.split('\n')[1];
const JWT = 'eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

describe('redactSecrets', () => {
  const cases: [string, string, string][] = [
    ['a YAML kubeconfig user', `users:\n- name: a\n  user:\n    token: ${TOKEN}\n`, TOKEN],
    ['a JSON kubeconfig user (client-node exports JSON)', `{"name":"a","user":{"token":"${TOKEN}"}}`, TOKEN],
    ['a PEM private key, whole', `client key:\n${KEY}`, KEY_BODY],
    ['a PEM private key cut off by a snippet', `  7 | -----BEGIN PRIVATE KEY-----\n  8 | ${KEY_BODY}`, KEY_BODY],
    ['base64 key data', `client-key-data: ${Buffer.from(KEY).toString('base64')}`, Buffer.from(KEY).toString('base64').slice(0, 60)],
    ['a long base64 run anywhere', `data ${Buffer.from(KEY).toString('base64')} end`, Buffer.from(KEY).toString('base64').slice(8, 60)],
    ['an Authorization header', `headers: { Authorization: 'Bearer ${TOKEN}' }`, TOKEN],
    ['a ServiceAccount token (JWT)', `error using ${JWT}`, JWT],
    ['a password', `password=${TOKEN}&user=x`, TOKEN],
    ['a password in a Redis URL', 'connect to rediss://replicator:s3cr3t-Pa55@redis.example:6380/0 failed', 's3cr3t-Pa55'],
    ['a password in a URL without a user', 'REDIS_URL=redis://:hunter2@127.0.0.1:6379', 'hunter2'],
  ];
  for (const [name, text, secret] of cases) {
    it(`removes ${name}`, () => {
      const redacted = redactSecrets(text);
      assert.ok(!redacted.includes(secret), redacted);
      assert.match(redacted, /redacted/);
    });
  }

  it('leaves an ordinary message as it was', () => {
    const message =
      'networking.replicateServices.toHost[2].to: namespace "kube-system" is not allowed for toHost targets of tenant "team-a"; ' +
      'allowed: vc-a (line 9); tenants[0].kubeconfig.secret: exactly one of file or secret; vcluster.loft.sh/label-blue-x-a4d451ec23';
    assert.equal(redactSecrets(message), message);
  });

  it('cuts a huge value, saying how much was cut', () => {
    const redacted = redactSecrets(`name "${'a-'.repeat(2_000_000)}" is too long`, 100);
    assert.equal(redacted, `name "${'a-'.repeat(47)}... (cut at 100 of 4000019 characters)`);
  });
});

describe('redactValue', () => {
  it('redacts errors (message, stack, own fields) and nested fields, as plain objects', () => {
    const error = Object.assign(new Error(`bad kubeconfig near token: ${TOKEN}`), { body: `{"token":"${TOKEN}"}`, code: 400 });
    const redacted = redactValue({ tenant: 'a', err: error, list: [`Bearer ${TOKEN}`] });
    assert.ok(!JSON.stringify(redacted).includes(TOKEN), JSON.stringify(redacted));
    const err = (redacted as { err: Record<string, unknown> }).err;
    assert.equal(err.type, 'Error');
    assert.equal(err.code, 400);
    assert.match(String(err.stack), /^Error: bad kubeconfig near token: \[redacted\]/);
    assert.equal(errorMessage(error), 'bad kubeconfig near token: [redacted]');
  });
});
