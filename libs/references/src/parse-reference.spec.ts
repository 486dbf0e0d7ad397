import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseReference, type ReferenceParseResult } from './parse-reference';

const SERVICE_NAME_RULE =
  "must consist of lower case alphanumeric characters or '-', start with a letter and end with an alphanumeric character (DNS-1035 label, at most 63 characters)";
const NAMESPACE_RULE =
  "must consist of lower case alphanumeric characters or '-', start and end with an alphanumeric character (DNS-1123 label, at most 63 characters)";

describe('parseReference', () => {
  const cases: { value: unknown; expected: ReferenceParseResult }[] = [
    { value: 'web', expected: { ref: { namespace: 'fallback', name: 'web' } } },
    { value: 'shop/web', expected: { ref: { namespace: 'shop', name: 'web' } } },
    { value: '1shop/web-2', expected: { ref: { namespace: '1shop', name: 'web-2' } } },
    { value: 'a/b/c', expected: { error: '"a/b/c" has 3 parts; a reference is name or namespace/name' } },
    { value: 'a/b/c/d', expected: { error: '"a/b/c/d" has 4 parts; a reference is name or namespace/name' } },
    { value: '/web', expected: { error: '"/web" has an empty namespace; a reference is name or namespace/name' } },
    { value: 'shop/', expected: { error: '"shop/" has an empty name; a reference is name or namespace/name' } },
    { value: '/', expected: { error: '"/" has an empty namespace; a reference is name or namespace/name' } },
    { value: '', expected: { error: 'is empty; a reference is name or namespace/name' } },
    { value: ' web', expected: { error: '" web" has leading or trailing whitespace' } },
    { value: 'shop/web\t', expected: { error: '"shop/web\\t" has leading or trailing whitespace' } },
    { value: 'shop /web', expected: { error: `"shop " is not a valid namespace: ${NAMESPACE_RULE}` } },
    { value: 'My_Svc', expected: { error: `"My_Svc" is not a valid service name: ${SERVICE_NAME_RULE}` } },
    { value: 'shop/1web', expected: { error: `"1web" is not a valid service name: ${SERVICE_NAME_RULE}` } },
    { value: 'Shop/web', expected: { error: `"Shop" is not a valid namespace: ${NAMESPACE_RULE}` } },
    { value: 'my.svc', expected: { error: `"my.svc" is not a valid service name: ${SERVICE_NAME_RULE}` } },
    {
      value: `shop/${'w'.repeat(64)}`,
      expected: { error: `"${'w'.repeat(64)}" is not a valid service name: must be at most 63 characters (it has 64)` },
    },
    { value: 42, expected: { error: 'must be a string (name or namespace/name), got number 42' } },
    { value: null, expected: { error: 'must be a string (name or namespace/name), got null' } },
    { value: undefined, expected: { error: 'must be a string (name or namespace/name), got nothing' } },
    { value: ['web'], expected: { error: 'must be a string (name or namespace/name), got a list' } },
    { value: { name: 'web' }, expected: { error: 'must be a string (name or namespace/name), got a mapping' } },
  ];
  for (const { value, expected } of cases) {
    it(`${JSON.stringify(value) ?? 'undefined'} -> ${expected.error ?? 'ok'}`, () => {
      assert.deepEqual(parseReference(value, 'fallback'), expected);
    });
  }
});
