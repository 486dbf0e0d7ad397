import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  dns1035LabelError,
  dns1123LabelError,
  dns1123SubdomainError,
  isDns1035Label,
  isDns1123Label,
  isDns1123Subdomain,
} from './dns-names';

const LABEL_RULE_1123 =
  "must consist of lower case alphanumeric characters or '-', start and end with an alphanumeric character (DNS-1123 label, at most 63 characters)";
const LABEL_RULE_1035 =
  "must consist of lower case alphanumeric characters or '-', start with a letter and end with an alphanumeric character (DNS-1035 label, at most 63 characters)";

describe('isDns1123Label / isDns1035Label', () => {
  const cases: { value: string; dns1123: boolean; dns1035: boolean }[] = [
    { value: 'web', dns1123: true, dns1035: true },
    { value: 'a', dns1123: true, dns1035: true },
    { value: 'vc-team-a', dns1123: true, dns1035: true },
    { value: 'a1', dns1123: true, dns1035: true },
    { value: '1a', dns1123: true, dns1035: false },
    { value: '123', dns1123: true, dns1035: false },
    { value: 'a'.repeat(63), dns1123: true, dns1035: true },
    { value: 'a'.repeat(64), dns1123: false, dns1035: false },
    { value: '', dns1123: false, dns1035: false },
    { value: '-a', dns1123: false, dns1035: false },
    { value: 'a-', dns1123: false, dns1035: false },
    { value: 'My-Svc', dns1123: false, dns1035: false },
    { value: 'my_svc', dns1123: false, dns1035: false },
    { value: 'my.svc', dns1123: false, dns1035: false },
    { value: ' web', dns1123: false, dns1035: false },
    { value: 'web\n', dns1123: false, dns1035: false },
  ];
  for (const { value, dns1123, dns1035 } of cases) {
    it(`${JSON.stringify(value)}: DNS-1123 ${dns1123}, DNS-1035 ${dns1035}`, () => {
      assert.equal(isDns1123Label(value), dns1123);
      assert.equal(isDns1035Label(value), dns1035);
    });
  }
});

describe('isDns1123Subdomain', () => {
  const cases: { value: string; valid: boolean }[] = [
    { value: 'kubeconfig', valid: true },
    { value: 'vc-team-a.config', valid: true },
    { value: `${'a'.repeat(63)}.${'b'.repeat(63)}`, valid: true },
    { value: 'a'.repeat(253), valid: true },
    { value: 'a'.repeat(254), valid: false },
    { value: 'a..b', valid: false },
    { value: '.a', valid: false },
    { value: 'A', valid: false },
    { value: '', valid: false },
  ];
  for (const { value, valid } of cases) {
    it(`${JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}...` : value)}: ${valid}`, () => {
      assert.equal(isDns1123Subdomain(value), valid);
    });
  }
});

describe('name error messages', () => {
  const cases: { name: string; error: string | undefined; expected: string | undefined }[] = [
    { name: 'valid label', error: dns1123LabelError('team-a', 'tenant name'), expected: undefined },
    {
      name: 'bad DNS-1123 label',
      error: dns1123LabelError('Team_A', 'tenant name'),
      expected: `"Team_A" is not a valid tenant name: ${LABEL_RULE_1123}`,
    },
    {
      name: 'DNS-1035 label starting with a digit',
      error: dns1035LabelError('1web', 'service name'),
      expected: `"1web" is not a valid service name: ${LABEL_RULE_1035}`,
    },
    {
      name: 'too long but otherwise valid',
      error: dns1035LabelError('a'.repeat(70), 'service name'),
      expected: `"${'a'.repeat(70)}" is not a valid service name: must be at most 63 characters (it has 70)`,
    },
    { name: 'empty', error: dns1123LabelError('', 'namespace'), expected: '"" is not a valid namespace: must not be empty' },
    {
      name: 'bad subdomain',
      error: dns1123SubdomainError('My.Secret', 'secret name'),
      expected:
        "\"My.Secret\" is not a valid secret name: must consist of lower case alphanumeric characters, '-' or '.', start and end with an alphanumeric character (DNS-1123 subdomain, at most 253 characters)",
    },
  ];
  for (const { name, error, expected } of cases) {
    it(name, () => assert.equal(error, expected));
  }
});

describe('messages about long values', () => {
  it('quote at most 100 characters of the value and say how long it was', () => {
    const error = dns1035LabelError('x'.repeat(5_000_000), 'service name') ?? '';
    assert.ok(error.length < 400, `${error.length} characters`);
    assert.match(error, new RegExp(`^"${'x'.repeat(100)}…" \\(5000000 characters\\) is not a valid service name: `));
  });
});
