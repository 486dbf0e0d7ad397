import { formatRef } from '@service-replicator/references';
import type { MappingKeyParts } from '@service-replicator/replication-config';
import { sourceAnnotationValue } from '@service-replicator/service-translation';
import type { MappingStatus, StatusStore } from '@service-replicator/replication-queue';
import type { PassOutcome } from './reconciler';

export const CONFLICT_REASON = 'ReplicationConflict';
/** A Warning Event on a host mirror whose tenant listed endpoints that are not its pods. */
export const DROPPED_REASON = 'ForeignEndpointsDropped';

export interface Reporter {
  warn(fields: object, message: string): void;
}

/**
 * Keeps the status record of every key and tells people about conflicts: a Warning Event on the
 * object we may not touch (once per conflict, not on every resync), a log line, and the status.
 */
export class OutcomeRecorder {
  constructor(private readonly statuses: StatusStore, private readonly reporter: Reporter) {}

  /**
   * Records the pass's outcome when it differs from the last one recorded (state, message, source):
   * a pass that finds a mirror in sync, as every resync's does, writes nothing. A retired key (its
   * entry gone and nothing of ours left) loses its record, so the status view lists what is configured.
   * `previousRecord`: the current record, if the caller started reading it already (in parallel with the pass).
   */
  async record(outcome: PassOutcome, traceId?: string, previousRecord?: Promise<MappingStatus | undefined>): Promise<MappingStatus | undefined> {
    const previous = await (previousRecord ?? this.statuses.get(outcome.key));
    if (outcome.retired) {
      if (previous) await this.statuses.remove(outcome.key);
      return undefined;
    }
    const now = new Date().toISOString();
    const status: MappingStatus = {
      key: outcome.key,
      tenant: outcome.parts.tenant,
      direction: outcome.parts.direction,
      source: outcome.mapping ? sourceAnnotationValue(outcome.mapping) : previous?.source,
      target: targetRef(outcome.parts),
      state: outcome.state,
      message: outcome.wrote ? `${outcome.wrote}; ${outcome.message}` : outcome.message,
      lastSyncAt: outcome.state === 'in-sync' && (outcome.wrote || previous?.state !== 'in-sync') ? now : previous?.lastSyncAt,
      updatedAt: now,
      traceId: traceId ?? previous?.traceId,
      ...(outcome.dropped ? { dropped: outcome.dropped.addresses } : {}),
    };
    if (previous && !worthRecording(previous, status, outcome)) return previous;
    await this.statuses.set(status);
    if (outcome.state === 'conflict') await this.reportConflict(outcome, previous);
    if (outcome.dropped && !sameList(previous?.dropped, status.dropped)) await this.reportDropped(outcome, outcome.dropped);
    return status;
  }

  /** Starts reading a key's record, to be handed to `record` once the pass is done. */
  previous(key: string): Promise<MappingStatus | undefined> {
    const reading = this.statuses.get(key);
    reading.catch(() => undefined); // a failure surfaces when record() awaits it
    return reading;
  }

  async recordError(outcome: Pick<PassOutcome, 'key' | 'parts'>, message: string, traceId?: string): Promise<void> {
    const previous = await this.statuses.get(outcome.key);
    await this.statuses.set({
      ...(previous ?? { key: outcome.key, tenant: outcome.parts.tenant, direction: outcome.parts.direction, target: targetRef(outcome.parts) }),
      state: 'error',
      message,
      updatedAt: new Date().toISOString(),
      traceId: traceId ?? previous?.traceId,
    });
  }

  /** Once per new set of left-out addresses: a log line, and a Warning Event on the host mirror. */
  private async reportDropped(outcome: PassOutcome, dropped: NonNullable<PassOutcome['dropped']>): Promise<void> {
    this.reporter.warn({ key: outcome.key, reason: DROPPED_REASON, dropped: dropped.addresses.length }, outcome.message);
    if (!dropped.object) return;
    await dropped.cluster.warn({ object: dropped.object, reason: DROPPED_REASON, message: `service-replicator (${outcome.key}): ${outcome.message}` });
  }

  private async reportConflict(outcome: PassOutcome, previous: MappingStatus | undefined): Promise<void> {
    this.reporter.warn({ key: outcome.key, reason: CONFLICT_REASON }, outcome.message);
    const alreadyReported = previous?.state === 'conflict' && previous.message === outcome.message;
    if (alreadyReported || !outcome.conflict) return;
    const { cluster, object } = outcome.conflict;
    await cluster.warn({ object, reason: CONFLICT_REASON, message: `service-replicator (${outcome.key}): ${outcome.message}` });
  }
}

/**
 * A new state, a write, other addresses left out, or a new explanation of a problem. A pass that
 * finds its mirror in sync and writes nothing (every resync's) leaves the record of the write that synced it.
 */
function worthRecording(previous: MappingStatus, next: MappingStatus, outcome: PassOutcome): boolean {
  if (previous.state !== next.state || previous.source !== next.source || outcome.wrote) return true;
  if (!sameList(previous.dropped, next.dropped)) return true;
  return next.state !== 'in-sync' && previous.message !== next.message;
}

function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  return (a ?? []).join() === (b ?? []).join();
}

/** `tenant:ns/name` for fromHost, `host:ns/name` for toHost, like the source annotation. */
export function targetRef(parts: MappingKeyParts): string {
  return `${parts.direction === 'fromHost' ? 'tenant' : 'host'}:${formatRef(parts.target)}`;
}
