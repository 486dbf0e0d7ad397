// First: tracing must be set up before anything it instruments is loaded.
import '@service-replicator/telemetry/register';
import { Module } from '@nestjs/common';
import { runApp } from '@service-replicator/runtime';
import { WriterService } from './writer.service';

@Module({ providers: [WriterService] })
class WriterModule {}

void runApp('writer', WriterModule);
