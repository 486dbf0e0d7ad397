import { type DynamicModule, Module, type OnApplicationShutdown } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { stopTracing } from '@service-replicator/telemetry';
import { Registry } from 'prom-client';
import { HealthController } from './health.controller';
import type { Logger } from './logger';
import { MetricsController } from './metrics.controller';
import { createMetricsRegistry } from './metrics-registry';
import { OperatorListener } from './operator-listener';
import { Readiness } from './readiness';
import { Settings } from './settings';

export const LOGGER = Symbol('LOGGER');

/**
 * What every app gets: settings, the logger, readiness checks, a metrics registry, /health and
 * /metrics, and the operator listener (idle unless OPERATOR_HTTP_PORT is set).
 */
@Module({})
export class RuntimeModule implements OnApplicationShutdown {
  static forApp(app: string, settings: Settings, logger: Logger): DynamicModule {
    return {
      module: RuntimeModule,
      global: true,
      imports: [TerminusModule],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: Settings, useValue: settings },
        { provide: LOGGER, useValue: logger },
        { provide: Registry, useValue: createMetricsRegistry(app) },
        Readiness,
        OperatorListener,
      ],
      exports: [Settings, LOGGER, Registry, Readiness],
    };
  }

  /** Spans still batched would be lost with the process. */
  async onApplicationShutdown(): Promise<void> {
    await stopTracing();
  }
}
