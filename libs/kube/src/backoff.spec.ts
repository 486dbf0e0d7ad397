import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exponentialBackoff } from './backoff';

describe('exponentialBackoff', () => {
  it('doubles up to the cap and starts again after reset', () => {
    const backoff = exponentialBackoff({ initialMs: 100, maxMs: 500 }, () => 0);
    assert.deepEqual([backoff.next(), backoff.next(), backoff.next(), backoff.next(), backoff.next()], [100, 200, 400, 500, 500]);
    backoff.reset();
    assert.equal(backoff.next(), 100);
  });

  it('jitters downwards by at most 20%', () => {
    const backoff = exponentialBackoff({ initialMs: 1000, maxMs: 1000 }, () => 1);
    assert.equal(backoff.next(), 800);
  });
});
