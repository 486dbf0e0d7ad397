// First: tracing must be set up before anything it instruments is loaded.
import '@service-replicator/telemetry/register';
import { Module } from '@nestjs/common';
import { ClientsModule, Transport } from '@nestjs/microservices';
import { ReplicatorRedisModule } from '@service-replicator/replication-queue';
import { redisTransportOptions, runApp, Settings } from '@service-replicator/runtime';
import { StatusViewModule } from '@service-replicator/status-view';
import { ANNOUNCER, ConfigWatcherService } from './config-watcher.service';

@Module({
  imports: [
    ReplicatorRedisModule.forApp('config-watcher'),
    ClientsModule.registerAsync([
      {
        name: ANNOUNCER,
        inject: [Settings],
        useFactory: (settings: Settings) => ({ transport: Transport.REDIS, options: redisTransportOptions(settings.REDIS_URL) }),
      },
    ]),
    // The status page (/status, /status.json) and Bull Board (/queues) on this app's HTTP server.
    StatusViewModule,
  ],
  providers: [ConfigWatcherService],
})
class ConfigWatcherModule {}

void runApp('config-watcher', ConfigWatcherModule);
