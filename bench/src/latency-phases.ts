import { performance } from 'node:perf_hooks';
import type { CoreV1Api, V1Service } from '@kubernetes/client-node';
import type { ReconcileQueue } from '@service-replicator/replication-queue';
import type { ChangeSample } from './change-timeline';
import { roundMs } from './latency-stats';
import type { ServiceWatch } from './service-watch';

/** One direction as the benchmark drives it: where sources are changed and where mirrors appear. */
export interface DirectionUnderTest {
  readonly name: 'fromHost' | 'toHost';
  readonly sourceCore: CoreV1Api;
  readonly sourceNamespace: string;
  readonly mirrors: ServiceWatch;
  /** The cluster the mirrors live in, where the floor's PATCH goes (an unmapped Service beside them). */
  readonly targetCore: CoreV1Api;
}

/** The floor's Service in each direction's target namespace: no mapping names it. */
export const FLOOR_SERVICE = 'latency-floor';

export interface BurstRound {
  readonly services: number;
  /** Until the last of the mirrors was seen: the burst's figure. */
  readonly totalMs: number;
  readonly firstMs: number;
  readonly medianMs: number;
}

const CHANGE_TIMEOUT_MS = 30_000;
/** How long the queue must stay empty before the next change: every change starts on a quiet system. */
const QUIET_MS = 250;

/** Wall-clock ms with performance.now()'s precision, so it lines up with Redis and log times. */
function wallTime(perfNow: number): number {
  return performance.timeOrigin + perfNow;
}

const hasPort = (port: number) => (service: V1Service) => service.spec?.ports?.[0]?.port === port;

/** A JSON patch of the first port only: the smallest change a user makes that the mirror must follow. */
async function patchPort(core: CoreV1Api, namespace: string, name: string, port: number): Promise<void> {
  await core.patchNamespacedService({ namespace, name, body: [{ op: 'replace', path: '/spec/ports/0/port', value: port }] });
}

/** One change, timed from just before the PATCH is sent to the watch event that shows the mirror changed. */
async function measureChange(direction: DirectionUnderTest, name: string, port: number): Promise<ChangeSample> {
  const landed = direction.mirrors.waitFor(name, hasPort(port), CHANGE_TIMEOUT_MS);
  landed.catch(() => undefined); // awaited below; this only keeps a failed PATCH from leaving it unhandled
  const sent = performance.now();
  await patchPort(direction.sourceCore, direction.sourceNamespace, name, port);
  const ack = performance.now();
  const arrival = await landed;
  return {
    target: { namespace: direction.mirrors.namespace, name },
    sentAt: wallTime(sent),
    ackAt: wallTime(ack),
    seenAt: wallTime(arrival.at),
    mirror: arrival.service,
  };
}

/**
 * The floor of one change: a PATCH of an unmapped Service in the mirrors' own namespace, timed to the
 * watch event that carries it, on the same watch. Any replication is at least this: a write, then
 * a watch seeing it.
 */
async function measureFloor(direction: DirectionUnderTest, port: number): Promise<number> {
  const landed = direction.mirrors.waitFor(FLOOR_SERVICE, hasPort(port), CHANGE_TIMEOUT_MS);
  landed.catch(() => undefined);
  const sent = performance.now();
  await patchPort(direction.targetCore, direction.mirrors.namespace, FLOOR_SERVICE, port);
  return (await landed).at - sent;
}

/**
 * Sequential changes to one Service, each on a quiet system, each preceded by a floor change (so
 * both see the same machine); `firstPort` keeps every value new.
 */
export async function measureSequential(
  direction: DirectionUnderTest,
  name: string,
  options: { changes: number; firstPort: number; queue: ReconcileQueue; progress: (done: number) => void },
): Promise<{ samples: ChangeSample[]; floorMs: number[] }> {
  const samples: ChangeSample[] = [];
  const floorMs: number[] = [];
  for (let i = 0; i < options.changes; i++) {
    await waitForQuietQueue(options.queue);
    floorMs.push(await measureFloor(direction, options.firstPort + i));
    await waitForQuietQueue(options.queue);
    samples.push(await measureChange(direction, name, options.firstPort + i));
    options.progress(i + 1);
  }
  return { samples, floorMs };
}

/** Every Service changed at once (PATCHes in parallel); done when the last mirror shows its change. */
export async function measureBurst(direction: DirectionUnderTest, names: readonly string[], port: number, queue: ReconcileQueue): Promise<BurstRound> {
  await waitForQuietQueue(queue);
  const landed = names.map((name) => direction.mirrors.waitFor(name, hasPort(port), CHANGE_TIMEOUT_MS));
  landed.forEach((promise) => void promise.catch(() => undefined));
  const sent = performance.now();
  await Promise.all(names.map((name) => patchPort(direction.sourceCore, direction.sourceNamespace, name, port)));
  const times = (await Promise.all(landed)).map((arrival) => arrival.at - sent).sort((a, b) => a - b);
  return {
    services: names.length,
    totalMs: roundMs(times[times.length - 1]),
    firstMs: roundMs(times[0]),
    medianMs: roundMs(times[Math.ceil(times.length / 2) - 1]),
  };
}

/**
 * Waits until no job is waiting, active or delayed for QUIET_MS. Polling is fine here: this only
 * paces the changes, it is not part of any measured time.
 */
export async function waitForQuietQueue(queue: ReconcileQueue, timeoutMs = CHANGE_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let quietSince: number | undefined;
  let counts: Record<string, number> = {};
  while (Date.now() < deadline) {
    counts = await queue.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
    const busy = Object.values(counts).some((count) => count > 0);
    quietSince = busy ? undefined : (quietSince ?? Date.now());
    if (quietSince !== undefined && Date.now() - quietSince >= QUIET_MS) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`the reconcile queue did not go quiet within ${timeoutMs} ms: ${JSON.stringify(counts)}`);
}
