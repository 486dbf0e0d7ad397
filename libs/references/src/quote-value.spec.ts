import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_ECHOED_CHARACTERS, quoteValue } from './quote-value';

describe('quoteValue', () => {
  it('quotes a short value whole, escapes included', () => {
    assert.equal(quoteValue('web'), '"web"');
    assert.equal(quoteValue('a\tb'), '"a\\tb"');
  });

  it('keeps a value of exactly the limit whole', () => {
    const value = 'x'.repeat(MAX_ECHOED_CHARACTERS);
    assert.equal(quoteValue(value), JSON.stringify(value));
  });

  it('cuts a long value with an ellipsis and says how long it was', () => {
    const quoted = quoteValue('y'.repeat(5 * 1024 * 1024));
    assert.equal(quoted, `"${'y'.repeat(MAX_ECHOED_CHARACTERS)}…" (5242880 characters)`);
  });
});
