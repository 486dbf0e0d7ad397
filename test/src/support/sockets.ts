import { runProcess } from '@service-replicator/control-plane-harness';

/** Established TCP connections a process holds to a loopback port (from `ss`), e.g. a writer's to an API server. */
export async function socketsTo(pid: number, server: string): Promise<number> {
  const port = new URL(server).port;
  const run = await runProcess('ss', ['-tnpH', 'state', 'established']);
  if (run.code !== 0) throw new Error(`ss exited ${run.code}: ${run.stderr}`);
  return run.stdout.split('\n').filter((line) => {
    const [, , , peer] = line.trim().split(/\s+/);
    return peer?.endsWith(`:${port}`) && line.includes(`pid=${pid},`);
  }).length;
}
