import { Module } from '@nestjs/common';
import { runApp } from '@service-replicator/runtime';

@Module({})
class HostWatcherModule {}

void runApp('host-watcher', HostWatcherModule);
