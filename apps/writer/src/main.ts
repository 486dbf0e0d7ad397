// First: tracing must be set up before anything it instruments is loaded.
import '@service-replicator/telemetry/register';
import { runApp } from '@service-replicator/runtime';
import { WriterModule } from './writer.module';

void runApp('writer', WriterModule);
