import { Module } from '@nestjs/common';
import { runApp } from '@service-replicator/runtime';

@Module({})
class WriterModule {}

void runApp('writer', WriterModule);
