import { Module } from '@nestjs/common';
import { runApp } from '@service-replicator/runtime';

@Module({})
class ConfigWatcherModule {}

void runApp('config-watcher', ConfigWatcherModule);
