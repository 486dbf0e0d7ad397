import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { Readiness } from './readiness';

/** Liveness and readiness for Kubernetes probes: 200 when healthy, 503 with the failing checks. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly readiness: Readiness,
  ) {}

  /** Answers while the event loop does: a restart would not fix a dependency that is down. */
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  async ready() {
    const results = await this.readiness.results();
    return this.health.check(
      results.map(([name, ready]) => () => (ready ? this.indicators.check(name).up() : this.indicators.check(name).down())),
    );
  }
}
