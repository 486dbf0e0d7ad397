import type { CoreV1Api, V1Service } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import { ReconcileQueue } from '@service-replicator/replication-queue';
import { TENANT_HOST_NAMESPACE, type BenchEnvironment } from './bench-environment';
import { log } from './bench-log';
import { FLOOR_SERVICE, measureBurst, measureSequential, waitForQuietQueue, type BurstRound, type DirectionUnderTest } from './latency-phases';
import type { ChangeSample } from './change-timeline';
import { ServiceWatch } from './service-watch';

const BURST_SERVICES = 20;
/** One burst is one sample; three show whether its figure is stable. */
export const BURST_ROUNDS = 3;
const TENANT_NAMESPACE = 'default';
const SEQUENTIAL = 'seq';
const burstNames = Array.from({ length: BURST_SERVICES }, (_, i) => `burst-${i}`);

export interface DirectionMeasurement {
  readonly samples: ChangeSample[];
  /** The PATCH->watch floor, one per sample, measured alternately with them. */
  readonly floorMs: number[];
  readonly rounds: BurstRound[];
}

/** Port values for one measurement: each change writes a port no earlier change wrote. */
export interface PortPlan {
  readonly changes: number;
  readonly firstPort: number;
  readonly firstBurstPort: number;
}

function serviceBody(name: string, port: number): V1Service {
  return { metadata: { name }, spec: { selector: { app: name }, ports: [{ name: 'main', port, targetPort: 8080 }] } };
}

/**
 * The Services every measurement changes, mapped in both directions, with a watch on each side's
 * mirrors and a queue handle to pace changes on a quiet system.
 */
export class BenchSession {
  private constructor(
    readonly fromHost: DirectionUnderTest,
    readonly toHost: DirectionUnderTest,
    readonly queue: ReconcileQueue,
    private readonly closers: (() => unknown)[],
  ) {}

  static async open(env: BenchEnvironment): Promise<BenchSession> {
    if (!env.host || !env.tenant || !env.redisServer) throw new Error('the bench environment is not started');
    const hostMirrors = await ServiceWatch.start(env.host.kubeConfig, TENANT_HOST_NAMESPACE);
    const tenantMirrors = await ServiceWatch.start(env.tenant.kubeConfig, TENANT_NAMESPACE);
    const connection = new Redis(env.redisServer.url, { maxRetriesPerRequest: 1 });
    // Failed commands still reject; this only keeps ioredis from also printing every reconnect attempt.
    connection.on('error', () => undefined);
    const queue = ReconcileQueue.connect(connection, env.prefix);
    const session = new BenchSession(
      direction('fromHost', env.hostCore, 'shared', tenantMirrors, env.tenantCore),
      direction('toHost', env.tenantCore, TENANT_NAMESPACE, hostMirrors, env.hostCore),
      queue,
      [() => hostMirrors.stop(), () => tenantMirrors.stop(), () => queue.close(), () => connection.disconnect()],
    );
    try {
      await session.createMappedServices(env);
      await waitForQuietQueue(queue);
    } catch (error) {
      await session.close();
      throw error;
    }
    return session;
  }

  /** Sequential changes, then BURST_ROUNDS bursts, in one direction. */
  async measure(direction: DirectionUnderTest, prefix: string, ports: PortPlan): Promise<DirectionMeasurement> {
    log(`${direction.name}: ${ports.changes} sequential changes`);
    const { samples, floorMs } = await measureSequential(direction, `${prefix}-${SEQUENTIAL}`, {
      changes: ports.changes,
      firstPort: ports.firstPort,
      queue: this.queue,
      progress: (done) => done % 10 === 0 && log(`${direction.name}: ${done}/${ports.changes}`),
    });
    const rounds: BurstRound[] = [];
    for (let round = 0; round < BURST_ROUNDS; round++) {
      rounds.push(await measureBurst(direction, burstNames.map((name) => `${prefix}-${name}`), ports.firstBurstPort + round, this.queue));
      log(`${direction.name}: burst ${round + 1}/${BURST_ROUNDS}: ${rounds[round].totalMs} ms`);
    }
    return { samples, floorMs, rounds };
  }

  async close(): Promise<void> {
    for (const close of this.closers) await Promise.resolve().then(close).catch(() => undefined);
  }

  /** Creates every source, maps them all in both directions, and waits until every mirror exists. */
  private async createMappedServices(env: BenchEnvironment): Promise<void> {
    const names = [SEQUENTIAL, ...burstNames];
    await env.tenantCore.createNamespacedService({ namespace: TENANT_NAMESPACE, body: serviceBody(FLOOR_SERVICE, 1000) });
    await env.hostCore.createNamespacedService({ namespace: TENANT_HOST_NAMESPACE, body: serviceBody(FLOOR_SERVICE, 1000) });
    for (const name of names) {
      await env.hostCore.createNamespacedService({ namespace: 'shared', body: serviceBody(`fh-${name}`, 1000) });
      await env.tenantCore.createNamespacedService({ namespace: TENANT_NAMESPACE, body: serviceBody(`th-${name}`, 1000) });
    }
    await env.configure({
      fromHost: names.map((name) => ({ from: `shared/fh-${name}`, to: `${TENANT_NAMESPACE}/fh-${name}` })),
      toHost: names.map((name) => ({ from: `${TENANT_NAMESPACE}/th-${name}`, to: `th-${name}` })),
    });
    const exists = () => true;
    await Promise.all(names.flatMap((name) => [this.fromHost.mirrors.waitFor(`fh-${name}`, exists, 60_000), this.toHost.mirrors.waitFor(`th-${name}`, exists, 60_000)]));
  }
}

function direction(name: DirectionUnderTest['name'], sourceCore: CoreV1Api, sourceNamespace: string, mirrors: ServiceWatch, targetCore: CoreV1Api): DirectionUnderTest {
  return { name, sourceCore, sourceNamespace, mirrors, targetCore };
}
