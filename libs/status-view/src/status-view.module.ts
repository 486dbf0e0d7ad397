import { Module } from '@nestjs/common';
import { QueueBoard } from './queue-board';
import { StatusController } from './status.controller';
import { StatusViewService } from './status-view.service';

/**
 * The status view on the importing app's HTTP server: /status, /status.json and /queues. It
 * needs the app's Settings (REDIS_URL, QUEUE_PREFIX, TRACE_UI_URL) from runApp's global module.
 */
@Module({
  controllers: [StatusController],
  providers: [StatusViewService, QueueBoard],
})
export class StatusViewModule {}
