// First: tracing must be set up before anything it instruments is loaded.
import '@service-replicator/telemetry/register';
import { Module } from '@nestjs/common';
import { ReplicatorRedisModule } from '@service-replicator/replication-queue';
import { runApp } from '@service-replicator/runtime';
import { MappingsController } from './mappings.controller';
import { TenantWatcherService } from './tenant-watcher.service';

@Module({ imports: [ReplicatorRedisModule.forApp('tenant-watcher')], controllers: [MappingsController], providers: [TenantWatcherService] })
class TenantWatcherModule {}

void runApp('tenant-watcher', TenantWatcherModule, { announcements: true });
