import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type DynamicModule, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { stopTracing } from '@service-replicator/telemetry';
import { LoggerModule } from 'nestjs-pino';
import { Registry } from 'prom-client';
import { AnnouncementChannel } from './announcement-channel';
import { HealthController } from './health.controller';
import { createLogger, loggerParams, type Logger } from './logger';
import { MetricsController } from './metrics.controller';
import { createMetricsRegistry } from './metrics-registry';
import { OperatorListener } from './operator-listener';
import { Readiness } from './readiness';
import { redisTargetOf } from './redis-target';
import { loadSettings, settingNames, Settings } from './settings';

/** The app's pino logger (what libs log through: `logger.warn({ fields }, message)`). */
export const LOGGER = Symbol('LOGGER');
/** How every Redis connection of the app is made (a RedisTarget, from the REDIS_* settings). */
export const REDIS_TARGET = Symbol('REDIS_TARGET');
/** The app's name: `writer`, `host-watcher`, ... */
export const APP_NAME = Symbol('APP_NAME');
/** This process among the app's replicas (`host/pid/random`): who holds a lease, who is a shard member. */
export const REPLICA_ID = Symbol('REPLICA_ID');

/**
 * The apps' configuration: the environment validated once, at start, by the Settings class (a bad
 * value stops the process with a message naming the variable). Awaited before the app is built,
 * so that failure is told apart from any other.
 */
export function settingsModule(): Promise<DynamicModule> {
  return ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, skipProcessEnv: true, cache: true, validate: (env) => loadSettings(env) });
}

/**
 * Given settings, as ConfigModule would give them: for a testing module (Test.createTestingModule),
 * which should neither read nor write the test process's environment.
 */
export function givenSettingsModule(settings: Settings): DynamicModule {
  @Module({})
  class GivenSettingsModule {}
  return { module: GivenSettingsModule, global: true, providers: [{ provide: ConfigService, useValue: new ConfigService({ ...settings }) }], exports: [ConfigService] };
}

/** The validated settings as one typed object, for classes that take several of them. */
function settingsOf(config: ConfigService<Settings, true>): Settings {
  return Object.assign(new Settings(), Object.fromEntries(settingNames().map((name) => [name, config.get(name, { infer: true })])));
}

/**
 * What every app gets: settings (`Settings`, or `ConfigService<Settings, true>`), the logger
 * (nestjs-pino for Nest and HTTP, LOGGER for our own lines), readiness checks, a metrics registry,
 * the Redis target, /health and /metrics, and the operator listener (idle unless
 * OPERATOR_HTTP_PORT is set). Each is a provider, so a testing module can replace it.
 */
@Module({})
export class RuntimeModule implements OnApplicationShutdown {
  static forApp(app: string, settings: DynamicModule | Promise<DynamicModule>): DynamicModule {
    return {
      module: RuntimeModule,
      global: true,
      imports: [settings, LoggerModule.forRootAsync({ inject: [LOGGER], useFactory: loggerParams }), TerminusModule],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: APP_NAME, useValue: app },
        { provide: REPLICA_ID, useFactory: () => `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}` },
        { provide: Settings, inject: [ConfigService], useFactory: settingsOf },
        { provide: LOGGER, inject: [Settings], useFactory: (s: Settings): Logger => createLogger(app, s.LOG_LEVEL) },
        { provide: Registry, useFactory: () => createMetricsRegistry(app) },
        { provide: REDIS_TARGET, inject: [Settings], useFactory: redisTargetOf },
        Readiness,
        OperatorListener,
        AnnouncementChannel,
      ],
      exports: [APP_NAME, REPLICA_ID, Settings, LOGGER, Registry, REDIS_TARGET, Readiness, AnnouncementChannel],
    };
  }

  /** Spans still batched would be lost with the process. */
  async onApplicationShutdown(): Promise<void> {
    await stopTracing();
  }
}
