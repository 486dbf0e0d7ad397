import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { type INestApplication, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { createLogger, NestPinoLogger, type Logger } from './logger';
import { OperatorListener } from './operator-listener';
import { redisTargetOf } from './redis-target';
import { announcementServer } from './redis-transport';
import { RuntimeModule } from './runtime.module';
import { loadSettings, type Settings } from './settings';

export interface RunOptions {
  /** Listen for the apps' announcements (@nestjs/microservices over Redis pub/sub). */
  readonly announcements?: boolean;
}

/**
 * Starts one of our processes: settings validated first (a bad environment stops the process with
 * a clear message), an HTTP server for health and metrics (with OPERATOR_HTTP_PORT, a second one
 * for the operator surface), one "ready" line (with the HTTP addresses) once every module has
 * started, and a clean close on SIGTERM/SIGINT so work in hand is finished or handed back.
 */
export async function runApp(app: string, appModule: Type<unknown>, options: RunOptions = {}): Promise<INestApplication> {
  let settings: Settings;
  try {
    settings = loadSettings();
  } catch (error) {
    process.stderr.write(`${app}: ${(error as Error).message}\n`);
    process.exit(2);
  }
  const logger = createLogger(app, settings.LOG_LEVEL);
  try {
    @Module({ imports: [RuntimeModule.forApp(app, settings, logger), appModule] })
    class RootModule {}
    const nest = await NestFactory.create(RootModule, { logger: new NestPinoLogger(logger) });
    stopOnSignals(app, nest, logger);
    if (options.announcements) {
      nest.connectMicroservice<MicroserviceOptions>(announcementServer(redisTargetOf(settings)));
      await nest.startAllMicroservices();
    }
    const operatorListener = nest.get(OperatorListener);
    operatorListener.routeBySurface();
    await nest.listen(settings.HTTP_PORT, settings.HTTP_HOST);
    const operator = await operatorListener.listen();
    const address = nest.getHttpServer().address() as AddressInfo;
    // `http` last: tests and scripts read it from the end of this line.
    logger.info({ pid: process.pid, operator, http: `http://${settings.HTTP_HOST}:${address.port}` }, `${app} ready`);
    return nest;
  } catch (error) {
    logger.fatal({ err: error }, `${app} failed to start`);
    process.exit(1);
  }
}

/** Longer than a writer pass or an informer stop; a close that hangs must not keep a pod Terminating. */
const CLOSE_TIMEOUT_MS = 20_000;

/**
 * On SIGTERM/SIGINT: close the app (every shutdown hook: workers finish their jobs, informers
 * stop, connections close) and exit 0, or 1 if closing failed or hung. Nest's own shutdown hooks
 * would re-raise the signal after closing, so the process would look killed rather than stopped.
 */
function stopOnSignals(app: string, nest: INestApplication, logger: Logger): void {
  const stop = async (signal: NodeJS.Signals) => {
    logger.info({ signal }, `${app} stopping`);
    const timer = setTimeout(() => {
      logger.error(`${app} did not stop within ${CLOSE_TIMEOUT_MS} ms; exiting`);
      process.exit(1);
    }, CLOSE_TIMEOUT_MS);
    try {
      await nest.close();
      logger.info(`${app} stopped`);
      process.exitCode = 0;
    } catch (error) {
      logger.error({ err: error }, `${app} failed to stop cleanly`);
      process.exitCode = 1;
    } finally {
      clearTimeout(timer);
      process.exit();
    }
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, (received) => void stop(received));
}
