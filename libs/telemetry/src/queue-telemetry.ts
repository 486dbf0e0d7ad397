import type { Telemetry } from 'bullmq';
import { BullMQOtel } from 'bullmq-otel';
import { tracingEnabled } from './tracing-sdk';

/**
 * BullMQ's telemetry for a Queue or Worker: the producer's context rides in the job's telemetry
 * metadata and the worker's span continues that trace. Undefined when tracing is off, so jobs
 * carry no metadata and BullMQ skips its span bookkeeping altogether.
 */
export function queueTelemetry(): Telemetry | undefined {
  return tracingEnabled() ? new BullMQOtel({ tracerName: 'bullmq' }) : undefined;
}
