import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { tracingRequested } from './tracing-switch';

const NAMES = ['OTEL_SDK_DISABLED', 'OTEL_TRACES_EXPORTER', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'];

/** The SDK's env helpers read process.env when called, so each case sets exactly its variables. */
function withEnv(env: Record<string, string>): boolean {
  for (const name of NAMES) delete process.env[name];
  Object.assign(process.env, env);
  return tracingRequested();
}

describe('tracingRequested', () => {
  afterEach(() => NAMES.forEach((name) => delete process.env[name]));

  it('is off when no OTEL variable names an exporter or an endpoint', () => {
    assert.equal(withEnv({}), false);
  });

  it('is on for an OTLP endpoint, or an exporter named in OTEL_TRACES_EXPORTER', () => {
    assert.equal(withEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }), true);
    assert.equal(withEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }), true);
    assert.equal(withEnv({ OTEL_TRACES_EXPORTER: 'otlp' }), true);
    assert.equal(withEnv({ OTEL_TRACES_EXPORTER: 'console' }), true);
  });

  it('is off when told so, whatever else is set', () => {
    assert.equal(withEnv({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }), false);
    assert.equal(withEnv({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' }), false);
  });
});
