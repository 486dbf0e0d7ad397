import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { MAPPINGS_CHANGED, type MappingsChanged } from '@service-replicator/replication-queue';
import { LOGGER, type Logger } from '@service-replicator/runtime';
import { TenantWatcherService } from './tenant-watcher.service';

@Controller()
export class MappingsController {
  constructor(
    private readonly watcher: TenantWatcherService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @EventPattern(MAPPINGS_CHANGED)
  onMappingsChanged(@Payload() change: MappingsChanged): Promise<void> {
    const reason = `tenant ${change.tenant} published version ${change.version}`;
    // Logged on receipt: the reload it asks for may be merged into one already due, or skipped by a stand-by.
    this.logger.debug({ ...change }, `announcement received: ${reason}`);
    return this.watcher.reload(reason);
  }
}
