import type { V1Service } from '@kubernetes/client-node';
import type { Redis } from 'ioredis';
import { FIELD_MANAGER } from '@service-replicator/kube';
import type { ObjectRef } from '@service-replicator/references';
import { RECONCILE_QUEUE } from '@service-replicator/replication-queue';

/** One measured change. Times are wall-clock ms (this machine's clock, shared by every process). */
export interface ChangeSample {
  readonly target: ObjectRef;
  /** Just before the source write was sent. */
  readonly sentAt: number;
  /** When the source write's response came back. */
  readonly ackAt: number;
  /** When our watch delivered the mirror with the new state: the figure reported. */
  readonly seenAt: number;
  /** The mirror as that event carried it (its managedFields hold the server's own write time). */
  readonly mirror: V1Service;
}

/** Where one change's time went, each milestone in ms after sentAt; undefined when not found. */
export interface Milestones {
  readonly sourceWritten: number;
  /** The first job for the change entered the queue (BullMQ's event stream, Redis's clock). */
  readonly queued?: number;
  /** The writer took a job. */
  readonly active?: number;
  /** The writer logged the pass that wrote the mirror (after the write, and after recording its status). */
  readonly mirrorLogged?: number;
  readonly watchSeen: number;
}

interface Stamped {
  readonly at: number;
  readonly what: string;
}

/**
 * BullMQ's event stream of the reconcile queue. Stream ids are `<ms>-<seq>` from Redis's clock, so
 * every event carries an exact server-side time without us subscribing while measuring.
 */
export async function readQueueEvents(redis: Redis, prefix: string): Promise<Stamped[]> {
  const entries = await redis.xrange(`${prefix}:${RECONCILE_QUEUE}:events`, '-', '+');
  return entries.map(([id, fields]) => ({ at: Number(id.split('-')[0]), what: fields[fields.indexOf('event') + 1] ?? '' }));
}

/** The writer's "wrote" log lines (pino JSON, ISO times with ms). */
export function readWriterWrites(log: string): Stamped[] {
  return log.split('\n').flatMap((line) => {
    if (!line.includes('"wrote"')) return [];
    try {
      const entry = JSON.parse(line) as { time?: string; wrote?: string };
      return entry.time && entry.wrote ? [{ at: Date.parse(entry.time), what: entry.wrote }] : [];
    } catch {
      return [];
    }
  });
}

/** The writer logs a pass after also recording its status in Redis, so its line may trail our watch. */
const LOG_TRAIL_MS = 200;

/**
 * Lays the queue's events and the writer's log over one change. Valid because each sequential
 * change starts on a queue that has been idle for longer than LOG_TRAIL_MS: the first job after
 * sentAt is this change's, and no later change's write can fall into the window.
 */
export function milestonesOf(sample: ChangeSample, queueEvents: readonly Stamped[], writes: readonly Stamped[]): Milestones {
  const first = (list: readonly Stamped[], from: number, until: number, match: (what: string) => boolean) =>
    list.find((item) => item.at >= Math.floor(from) && item.at <= until && match(item.what))?.at;
  const queued = first(queueEvents, sample.sentAt, sample.seenAt + 1, (what) => what === 'added');
  const active = queued === undefined ? undefined : first(queueEvents, queued, sample.seenAt + 1, (what) => what === 'active');
  const serviceWrite = new RegExp(` Service ${sample.target.namespace}/${sample.target.name}$`);
  const mirrorLogged = first(writes, sample.sentAt, sample.seenAt + LOG_TRAIL_MS, (what) => what.startsWith('update ') && serviceWrite.test(what));
  const since = (at: number | undefined) => (at === undefined ? undefined : at - sample.sentAt);
  return {
    sourceWritten: sample.ackAt - sample.sentAt,
    queued: since(queued),
    active: since(active),
    mirrorLogged: since(mirrorLogged),
    watchSeen: sample.seenAt - sample.sentAt,
  };
}

export interface ServerSideCheck {
  /** Changes whose server-side write second overlaps the window from sentAt to seenAt. */
  readonly consistent: number;
  readonly n: number;
}

/**
 * The API server's own record of the mirror write: our field manager's managedFields time. It has
 * whole-second resolution, so it can only confirm the watch figure (the write's second must overlap
 * the window from sentAt to seenAt), not refine it: an average of truncated seconds over ~60 changes
 * made at regular intervals came out tens of ms off either way, so none is reported.
 */
export function serverSideCheck(samples: readonly ChangeSample[]): ServerSideCheck {
  const consistent = samples.filter((sample) => {
    const entry = sample.mirror.metadata?.managedFields?.find((field) => field.manager === FIELD_MANAGER);
    if (!entry?.time) return false;
    const second = new Date(entry.time).getTime();
    return second <= sample.seenAt && second + 1000 > sample.sentAt;
  }).length;
  return { consistent, n: samples.length };
}
