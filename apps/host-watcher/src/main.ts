// First: tracing must be set up before anything it instruments is loaded.
import '@service-replicator/telemetry/register';
import { runApp } from '@service-replicator/runtime';
import { HostWatcherModule } from './host-watcher.module';

void runApp('host-watcher', HostWatcherModule, { announcements: true });
