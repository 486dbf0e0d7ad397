import { Module } from '@nestjs/common';
import { runApp } from '@service-replicator/runtime';
import { WriterService } from './writer.service';

@Module({ providers: [WriterService] })
class WriterModule {}

void runApp('writer', WriterModule);
