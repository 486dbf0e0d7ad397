import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { LOGGER, type Logger } from '@service-replicator/runtime';
import { MAPPINGS_CHANGED, type MappingsChanged } from './announcements';

/**
 * What a watcher does when a tenant publishes mappings: looks again at what it should watch. The
 * watcher apps provide it (`{ provide: MappingsReloader, useExisting: TheirService }`).
 */
export abstract class MappingsReloader {
  abstract reload(reason: string): Promise<void>;
}

/** Hands config-watcher's announcements to the app's MappingsReloader. */
@Controller()
export class MappingsController {
  constructor(
    private readonly watcher: MappingsReloader,
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
