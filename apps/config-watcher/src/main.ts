// First: tracing must be set up before anything it instruments is loaded.
import '@service-replicator/telemetry/register';
import { Module } from '@nestjs/common';
import { ClientsModule } from '@nestjs/microservices';
import { ReplicatorRedisModule } from '@service-replicator/replication-queue';
import { announcementClient, redisTargetOf, runApp, Settings } from '@service-replicator/runtime';
import { StatusViewModule } from '@service-replicator/status-view';
import { ConfigWatcherService } from './config-watcher.service';
import { ANNOUNCER, TenantPublisher } from './tenant-publisher';

@Module({
  imports: [
    // Started during a Redis outage, it waits for Redis rather than exit: there is nothing to do without it.
    ReplicatorRedisModule.forApp('config-watcher', { waitForRedis: 'forever' }),
    ClientsModule.registerAsync([
      {
        name: ANNOUNCER,
        inject: [Settings],
        useFactory: (settings: Settings) => announcementClient(redisTargetOf(settings)),
      },
    ]),
    // The status page (/status, /status.json) and Bull Board (/queues) on this app's HTTP server.
    StatusViewModule,
  ],
  providers: [ConfigWatcherService, TenantPublisher],
})
class ConfigWatcherModule {}

void runApp('config-watcher', ConfigWatcherModule);
