import { Module } from '@nestjs/common';
import { ClientsModule } from '@nestjs/microservices';
import { ClustersModule } from '@service-replicator/kube/clusters.module';
import { ReplicatorRedisModule } from '@service-replicator/replication-queue';
import { announcementClient, REDIS_TARGET, type RedisTarget } from '@service-replicator/runtime';
import { StatusViewModule } from '@service-replicator/status-view';
import { ConfigChanges } from './config-changes';
import { ConfigPass } from './config-pass';
import { CONFIG_SOURCE_PROVIDERS } from './config-sources.providers';
import { ConfigWatcherService } from './config-watcher.service';
import { ANNOUNCER, TenantPublisher } from './tenant-publisher';

/** config-watcher's object graph: config sources, the pass that publishes them, the announcements, the status page. */
@Module({
  imports: [
    // Started during a Redis outage, it waits for Redis rather than exit: there is nothing to do without it.
    ReplicatorRedisModule.forApp('config-watcher', { waitForRedis: 'forever' }),
    ClustersModule,
    ClientsModule.registerAsync([{ name: ANNOUNCER, inject: [REDIS_TARGET], useFactory: (target: RedisTarget) => announcementClient(target) }]),
    // The status page (/status, /status.json) and Bull Board (/queues) on this app's HTTP server.
    StatusViewModule,
  ],
  providers: [ConfigChanges, ...CONFIG_SOURCE_PROVIDERS, TenantPublisher, ConfigPass, ConfigWatcherService],
})
export class ConfigWatcherModule {}
