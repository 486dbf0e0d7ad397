// First: tracing must be set up before anything it instruments is loaded.
import '@service-replicator/telemetry/register';
import { Module } from '@nestjs/common';
import { ReplicatorRedisModule } from '@service-replicator/replication-queue';
import { runApp } from '@service-replicator/runtime';
import { WriterService } from './writer.service';

@Module({ imports: [ReplicatorRedisModule.forApp('writer')], providers: [WriterService] })
class WriterModule {}

void runApp('writer', WriterModule);
