// First: tracing must be set up before anything it instruments is loaded.
import '@service-replicator/telemetry/register';
import { Module } from '@nestjs/common';
import { ReplicatorRedisModule } from '@service-replicator/replication-queue';
import { runApp } from '@service-replicator/runtime';
import { HostWatcherService } from './host-watcher.service';
import { MappingsController } from './mappings.controller';

@Module({ imports: [ReplicatorRedisModule.forApp('host-watcher')], controllers: [MappingsController], providers: [HostWatcherService] })
class HostWatcherModule {}

void runApp('host-watcher', HostWatcherModule, { announcements: true });
