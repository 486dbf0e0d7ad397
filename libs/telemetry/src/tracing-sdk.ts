import { getStringFromEnv } from '@opentelemetry/core';
import type { NodeSDK } from '@opentelemetry/sdk-node';
import { tracingRequested } from './tracing-switch';

let sdk: NodeSDK | undefined;

/**
 * Starts the OpenTelemetry SDK for traces when the OTEL_* variables ask for them; otherwise loads
 * nothing, so a process without tracing pays for none of it. The exporter, protocol, endpoint,
 * sampler and batching all come from the standard variables, read by the SDK itself.
 */
export function startTracing(app: string): boolean {
  if (sdk || !tracingRequested()) return sdk !== undefined;
  // Loaded only here: the SDK and its exporters are a few hundred modules a process without tracing never needs.
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { PinoInstrumentation } = require('@opentelemetry/instrumentation-pino') as typeof import('@opentelemetry/instrumentation-pino');
  const { resourceFromAttributes } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  sdk = new NodeSDK({
    // OTEL_SERVICE_NAME wins when set; one environment shared by the four apps still names each.
    serviceName: getStringFromEnv('OTEL_SERVICE_NAME') ? undefined : app,
    resource: resourceFromAttributes({ 'service.namespace': 'service-replicator' }),
    instrumentations: [
      new HttpInstrumentation({
        // Our HTTP server only answers health checks and scrapes: no traces for those.
        ignoreIncomingRequestHook: () => true,
        // Informers list and watch outside any reconcile; only calls made inside one are traced.
        requireParentforOutgoingSpans: true,
      }),
      // trace_id and span_id on every log line written inside a span; the lines still go to
      // stdout only (no OpenTelemetry log records: there is no log pipeline to send them to).
      new PinoInstrumentation({ disableLogSending: true }),
    ],
    // Metrics are scraped from /metrics (prom-client) and logs go to stdout: traces only here.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  return true;
}

export function tracingEnabled(): boolean {
  return sdk !== undefined;
}

/** Exports the spans still batched; called as the app shuts down. */
export async function stopTracing(): Promise<void> {
  const running = sdk;
  sdk = undefined;
  await running?.shutdown();
}
