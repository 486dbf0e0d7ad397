import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { Worker } from 'bullmq';
import { startRedis, type RedisServer } from '@service-replicator/control-plane-harness';
import { RECONCILE_QUEUE, ReconcileQueue, redisConnection, redisReady } from '@service-replicator/replication-queue';
import { serverSuite } from './support/server-suite';
import { eventually } from './support/wait';

serverSuite('reconcile queue (real Redis)', () => {
  let redis: RedisServer;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => redis?.stop());

  it('processes a burst of adds for one key as one pass plus at most one follow-up, never in parallel', async () => {
    const prefix = 'queue-burst';
    const producer = redisConnection(redis.url, 'producer');
    await redisReady(producer);
    const queue = ReconcileQueue.connect(producer, prefix);
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
    let completed = 0;
    worker.on('completed', () => (completed += 1));
    try {
      await queue.enqueue(['t/fromHost/ns/web'], 'first');
      await eventually(() => (passes.length === 1 ? true : undefined));
      for (let i = 0; i < 50; i += 1) await queue.enqueue(['t/fromHost/ns/web'], `burst ${i}`);
      release();
      // The follow-up done, and nothing left in the queue that could make a third pass.
      await eventually(() => (completed === 2 ? true : undefined));
      assert.deepEqual(await queue.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children'), { waiting: 0, active: 0, delayed: 0, prioritized: 0, 'waiting-children': 0 });
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
