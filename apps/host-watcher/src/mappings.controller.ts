import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { MAPPINGS_CHANGED, type MappingsChanged } from '@service-replicator/replication-queue';
import { HostWatcherService } from './host-watcher.service';

@Controller()
export class MappingsController {
  constructor(private readonly watcher: HostWatcherService) {}

  @EventPattern(MAPPINGS_CHANGED)
  onMappingsChanged(@Payload() change: MappingsChanged): Promise<void> {
    return this.watcher.reload(`tenant ${change.tenant} published version ${change.version}`);
  }
}
