import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeConfigBytes } from './config-text';

const bytes = (...values: number[]) => Uint8Array.from(values);
const utf8 = (text: string) => new TextEncoder().encode(text);

describe('decodeConfigBytes', () => {
  it('decodes UTF-8 and drops a byte order mark', () => {
    assert.deepEqual(decodeConfigBytes(utf8('a: "é✓𝄞"\n')), { text: 'a: "é✓𝄞"\n' });
    assert.deepEqual(decodeConfigBytes(bytes(0xef, 0xbb, 0xbf, 0x61)), { text: 'a' });
  });

  const invalid: { name: string; input: Uint8Array; offset: number; line: number; byte: string }[] = [
    { name: 'a Latin-1 byte', input: bytes(...utf8('a:\nb: caf'), 0xe9, 0x0a), offset: 9, line: 2, byte: 'e9' },
    { name: 'a lone continuation byte', input: bytes(0x61, 0x80), offset: 1, line: 1, byte: '80' },
    { name: 'an overlong encoding of "/"', input: bytes(0x61, 0xc0, 0xaf), offset: 1, line: 1, byte: 'c0' },
    { name: 'an encoded surrogate', input: bytes(0xed, 0xa0, 0x80), offset: 0, line: 1, byte: 'ed' },
    { name: 'a sequence cut off at the end', input: bytes(0x0a, 0x0a, 0xe2, 0x9c), offset: 2, line: 3, byte: 'e2' },
    { name: 'beyond U+10FFFF', input: bytes(0xf4, 0x90, 0x80, 0x80), offset: 0, line: 1, byte: 'f4' },
  ];
  for (const { name, input, offset, line, byte } of invalid) {
    it(`refuses ${name}, saying where`, () => {
      assert.deepEqual(decodeConfigBytes(input), {
        issue: { path: '', message: `is not UTF-8 text: a malformed byte sequence starts at byte offset ${offset} (0x${byte})`, line },
      });
    });
  }

  it('for any bytes: text exactly when they are UTF-8, else the bytes before the offset are', () => {
    const strict = new TextDecoder('utf-8', { fatal: true });
    const isUtf8 = (input: Uint8Array) => {
      try {
        strict.decode(input);
        return true;
      } catch {
        return false;
      }
    };
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.string({ unit: 'binary' }).map(utf8)), (input) => {
        const result = decodeConfigBytes(input);
        assert.equal(result.text !== undefined, isUtf8(input));
        if (result.issue) {
          const offset = Number(/offset (\d+)/.exec(result.issue.message)?.[1]);
          assert.ok(isUtf8(input.subarray(0, offset)), `bytes before offset ${offset} decode`);
        }
      }),
      { numRuns: 1_000 },
    );
  });
});
