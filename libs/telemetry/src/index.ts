export { ATTR } from './span-attributes';
export { currentTraceId, inSpan, type SpanOptions } from './spans';
export { queueTelemetry } from './queue-telemetry';
export { startTracing, stopTracing, tracingEnabled } from './tracing-sdk';
export { tracingRequested } from './tracing-switch';
