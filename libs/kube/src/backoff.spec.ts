import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exponentialBackoff, informerRetryDelayMs, UNREACHABLE_RETRY_MAX_MS } from './backoff';

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

describe('informerRetryDelayMs', () => {
  it('retries an API server that is away (no answer, 5xx) at least every few seconds', () => {
    assert.equal(informerRetryDelayMs(undefined, 30_000), UNREACHABLE_RETRY_MAX_MS);
    assert.equal(informerRetryDelayMs(503, 16_000), UNREACHABLE_RETRY_MAX_MS);
    assert.equal(informerRetryDelayMs(undefined, 1_000), 1_000);
  });

  it('keeps the whole backoff for an answer that will not change soon (403, 404)', () => {
    assert.equal(informerRetryDelayMs(403, 30_000), 30_000);
    assert.equal(informerRetryDelayMs(404, 8_000), 8_000);
  });
});
