export { ATTR } from './span-attributes';
export { currentTraceId, inSpan, traceLogFields, type SpanOptions } from './spans';
export { queueTelemetry } from './queue-telemetry';
export { startTracing, stopTracing, tracingEnabled } from './tracing-sdk';
export { tracingRequested } from './tracing-switch';
