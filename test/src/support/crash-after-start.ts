// A test process that fails half-way: it starts a control plane and Redis, prints their pids,
// then throws (or, given `stay`, waits to be killed outright). The harness test checks that none
// of them outlives it.
import { startControlPlane, startRedis } from '@service-replicator/control-plane-harness';

const stay = process.argv.includes('stay');
void Promise.all([startControlPlane({ name: 'crash' }), startRedis()]).then(([controlPlane, redis]) => {
  process.stdout.write(`${JSON.stringify([...controlPlane.pids(), redis.pid])}\n`);
  if (stay) setInterval(() => undefined, 60_000);
  else throw new Error('test failed on purpose');
});
