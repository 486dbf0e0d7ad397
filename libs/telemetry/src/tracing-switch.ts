import { getBooleanFromEnv, getStringFromEnv, getStringListFromEnv } from '@opentelemetry/core';

/**
 * Whether the standard OTEL_* variables ask for traces: an exporter named in OTEL_TRACES_EXPORTER
 * (not `none`), or an OTLP endpoint. Left to itself the SDK would default to OTLP on
 * localhost:4318 and log a failed export every few seconds wherever no collector runs, so with
 * neither set tracing stays off. The SDK's own env helpers read them (OTEL_SDK_DISABLED too).
 */
export function tracingRequested(): boolean {
  if (getBooleanFromEnv('OTEL_SDK_DISABLED')) return false;
  const exporters = getStringListFromEnv('OTEL_TRACES_EXPORTER') ?? [];
  if (exporters.includes('none')) return false;
  if (exporters.length > 0) return true;
  return Boolean(getStringFromEnv('OTEL_EXPORTER_OTLP_ENDPOINT') ?? getStringFromEnv('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'));
}
