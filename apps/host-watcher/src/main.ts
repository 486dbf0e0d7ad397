// First: tracing must be set up before anything it instruments is loaded.
import '@service-replicator/telemetry/register';
import { Module } from '@nestjs/common';
import { runApp } from '@service-replicator/runtime';
import { HostWatcherService } from './host-watcher.service';
import { MappingsController } from './mappings.controller';

@Module({ controllers: [MappingsController], providers: [HostWatcherService] })
class HostWatcherModule {}

void runApp('host-watcher', HostWatcherModule, { announcements: true });
