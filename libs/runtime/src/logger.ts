import type { IncomingMessage, ServerResponse } from 'node:http';
import { redactValue } from '@service-replicator/redaction';
import type { Params } from 'nestjs-pino';
import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * JSON logs on stdout, one object per line, named after the process that writes them. With
 * tracing on, OpenTelemetry's pino instrumentation adds the active span's `trace_id` and `span_id`
 * to every line written inside a traced operation, so logs and traces join. Every argument of
 * every line goes through the redaction helper first (errors included, which it turns into plain
 * objects): no credential and no huge value reaches a log.
 */
export function createLogger(app: string, level = 'info'): Logger {
  return pino({
    name: app,
    level,
    base: { app },
    timestamp: pino.stdTimeFunctions.isoTime,
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((arg) => redactValue(arg)) as Parameters<typeof method>);
      },
    },
  });
}

/** Kubelet probes and Prometheus scrapes come every few seconds: a line for each would drown the log. */
const SCRAPE_PATH = /^\/(?:health|metrics)(?:[/?]|$)/i;

/**
 * nestjs-pino's settings: Nest's own messages and the HTTP request lines go through the app's
 * logger (same shape, same redaction), requests other than probes and scrapes are logged with
 * their method, path and status only (no headers: a proxy's Authorization header stays out).
 */
export function loggerParams(logger: Logger): Params {
  return {
    pinoHttp: {
      logger,
      autoLogging: { ignore: (request: IncomingMessage) => SCRAPE_PATH.test(request.url ?? '/') },
      wrapSerializers: false,
      serializers: {
        req: (request: IncomingMessage) => ({ method: request.method, url: request.url }),
        res: (response: ServerResponse) => ({ statusCode: response.statusCode }),
      },
    },
  };
}
