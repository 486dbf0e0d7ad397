import { isSpanContextValid, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { redactSecrets } from '@service-replicator/redaction';

const tracer = () => trace.getTracer('service-replicator');

export interface SpanOptions {
  /** Starts a new trace, whatever is active (an informer's event arrives inside its long watch). */
  readonly root?: boolean;
}

/**
 * Runs `work` inside a new active span and ends it when the work settles; a failure is recorded
 * on the span and rethrown. Without tracing the span is a no-op and this costs a function call.
 */
export function inSpan<T>(name: string, attributes: Attributes, work: (span: Span) => Promise<T>, options: SpanOptions = {}): Promise<T> {
  return tracer().startActiveSpan(name, { attributes, root: options.root }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      // Redacted copies: a trace is an output like a log.
      const message = redactSecrets(error instanceof Error ? error.message : String(error));
      const stack = error instanceof Error && error.stack ? redactSecrets(error.stack, 8_000) : undefined;
      span.recordException({ name: error instanceof Error ? error.name : 'Error', message, stack });
      span.setStatus({ code: SpanStatusCode.ERROR, message });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** The active trace's id, if a sampled span is active (for the status record). */
export function currentTraceId(): string | undefined {
  const context = trace.getActiveSpan()?.spanContext();
  return context && isSpanContextValid(context) ? context.traceId : undefined;
}
