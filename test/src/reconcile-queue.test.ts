import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Worker } from 'bullmq';
import { startRedis, type RedisServer } from '@service-replicator/control-plane-harness';
import { RECONCILE_QUEUE, ReconcileQueue, redisConnection, redisReady } from '@service-replicator/replication-queue';
import { eventually } from './support/wait';

describe('reconcile queue (real Redis)', () => {
  let redis: RedisServer;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => redis?.stop());

  it('processes a burst of adds for one key as one pass plus at most one follow-up, never in parallel', async () => {
    const prefix = 'queue-burst';
    const producer = redisConnection(redis.url, 'producer');
    await redisReady(producer);
    const queue = new ReconcileQueue(producer, prefix);
    const passes: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    let release!: () => void;
    const firstPassHeld = new Promise<void>((resolve) => (release = resolve));
    const consumer = redisConnection(redis.url, 'worker');
    const worker = new Worker(
      RECONCILE_QUEUE,
      async (job) => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        passes.push(job.data.key);
        if (passes.length === 1) await firstPassHeld;
        inFlight -= 1;
      },
      { connection: consumer, prefix, concurrency: 4 },
    );
    try {
      await queue.enqueue(['t/fromHost/ns/web'], 'first');
      await eventually(() => (passes.length === 1 ? true : undefined));
      for (let i = 0; i < 50; i += 1) await queue.enqueue(['t/fromHost/ns/web'], `burst ${i}`);
      release();
      await eventually(() => (passes.length === 2 ? true : undefined));
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(passes.length, 2, 'one pass, then one follow-up for everything added during it');
      assert.equal(maxInFlight, 1);
    } finally {
      release();
      await worker.close();
      await queue.queue.obliterate({ force: true });
      await queue.close();
      producer.disconnect();
      consumer.disconnect();
    }
  });
});
