// First: tracing must be set up before anything it instruments is loaded.
import '@service-replicator/telemetry/register';
import { runApp } from '@service-replicator/runtime';
import { TenantWatcherModule } from './tenant-watcher.module';

void runApp('tenant-watcher', TenantWatcherModule, { announcements: true });
