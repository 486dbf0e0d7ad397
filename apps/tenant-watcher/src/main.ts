import { Module } from '@nestjs/common';
import { runApp } from '@service-replicator/runtime';

@Module({})
class TenantWatcherModule {}

void runApp('tenant-watcher', TenantWatcherModule);
