import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { ReplicatorRedis } from '@service-replicator/replication-queue';
import { STATUS_REDIS } from './status-redis';

export const QUEUES_PATH = '/queues';

/** The part of the Express app used here (@types/express is not a dependency). */
interface MountPoint {
  use(path: string, handler: unknown): unknown;
}

/**
 * Bull Board for the reconcile queue at /queues. Read-only: this port has no authentication, and
 * nothing needs a hand here (failed passes are retried, and the periodic resync re-enqueues
 * every key), so the board shows the queue but cannot retry, clean or remove jobs.
 */
@Injectable()
export class QueueBoard implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(STATUS_REDIS) private readonly redis: ReplicatorRedis,
  ) {}

  /** Mounted at module init: after Nest's routes, before its not-found handler. */
  onModuleInit(): void {
    const serverAdapter = new ExpressAdapter();
    serverAdapter.setBasePath(QUEUES_PATH);
    createBullBoard({
      queues: [new BullMQAdapter(this.redis.queue.queue, { readOnlyMode: true })],
      serverAdapter,
      options: { uiConfig: { boardTitle: 'service-replicator' } },
    });
    this.adapterHost.httpAdapter.getInstance<MountPoint>().use(QUEUES_PATH, serverAdapter.getRouter());
  }
}
