import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { type DynamicModule, type INestApplication, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { Logger as NestLogger } from 'nestjs-pino';
import { createLogger, type Logger } from './logger';
import { OperatorListener } from './operator-listener';
import { AnnouncementChannel } from './announcement-channel';
import { announcementServer } from './redis-transport';
import type { RedisTarget } from './redis-target';
import { LOGGER, REDIS_TARGET, RuntimeModule, settingsModule } from './runtime.module';
import { Settings } from './settings';

export interface RunOptions {
  /** Listen for the apps' announcements (@nestjs/microservices over Redis pub/sub). */
  readonly announcements?: boolean;
}

/**
 * Starts one of our processes: settings validated first (a bad environment stops the process with
 * a clear message, exit code 2), an HTTP server for health and metrics (with OPERATOR_HTTP_PORT, a
 * second one for the operator surface), one "ready" line (with the HTTP addresses) once every
 * module has started, and a clean close on SIGTERM/SIGINT so work in hand is finished or handed back.
 */
export async function runApp(app: string, appModule: Type<unknown>, options: RunOptions = {}): Promise<INestApplication> {
  let settings: DynamicModule;
  try {
    settings = await settingsModule();
  } catch (error) {
    process.stderr.write(`${app}: ${(error as Error).message}\n`);
    process.exit(2);
  }
  try {
    @Module({ imports: [RuntimeModule.forApp(app, settings), appModule] })
    class RootModule {}
    // Nest's own lines wait for nestjs-pino's logger; a failure to start is logged below, as JSON.
    const nest = await NestFactory.create(RootModule, { bufferLogs: true, autoFlushLogs: false, abortOnError: false });
    nest.useLogger(nest.get(NestLogger));
    nest.flushLogs();
    await listen(app, nest, options);
    return nest;
  } catch (error) {
    createLogger(app).fatal({ err: error }, `${app} failed to start`);
    process.exit(1);
  }
}

async function listen(app: string, nest: INestApplication, options: RunOptions): Promise<void> {
  const logger = nest.get<Logger>(LOGGER);
  const settings = nest.get(Settings);
  stopOnSignals(app, nest, logger);
  if (options.announcements) {
    const announcements = nest.connectMicroservice<MicroserviceOptions>(announcementServer(nest.get<RedisTarget>(REDIS_TARGET)));
    const channel = nest.get(AnnouncementChannel);
    let connectedBefore = false;
    announcements.status.subscribe((status) => {
      if (status !== 'connected') return;
      if (connectedBefore) channel.markResubscribed();
      connectedBefore = true;
    });
    await nest.startAllMicroservices();
  }
  const operatorListener = nest.get(OperatorListener);
  operatorListener.routeBySurface();
  await nest.listen(settings.HTTP_PORT, settings.HTTP_HOST);
  const operator = await operatorListener.listen();
  const address = nest.getHttpServer().address() as AddressInfo;
  // `http` last: tests and scripts read it from the end of this line.
  logger.info({ pid: process.pid, operator, http: `http://${settings.HTTP_HOST}:${address.port}` }, `${app} ready`);
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
