import type { Attributes } from '@opentelemetry/api';
import { parseMappingKey } from '@service-replicator/replication-config';
import type { ReconcileJobData } from '@service-replicator/replication-queue';
import { sourceAnnotationValue } from '@service-replicator/service-translation';
import { ATTR } from '@service-replicator/telemetry';
import { targetRef } from './outcome-recorder';
import type { PassOutcome } from './reconciler';

/** What a pass is about, known before it starts: the key's tenant, direction and target. */
export function jobAttributes(job: ReconcileJobData): Attributes {
  const parts = parseMappingKey(job.key);
  const about = parts ? { [ATTR.tenant]: parts.tenant, [ATTR.direction]: parts.direction, [ATTR.target]: targetRef(parts) } : {};
  return { [ATTR.key]: job.key, [ATTR.cause]: job.cause, ...about };
}

/** What the pass found and did. */
export function outcomeAttributes(outcome: PassOutcome): Attributes {
  return {
    [ATTR.outcome]: outcome.state,
    [ATTR.action]: outcome.action ?? 'none',
    ...(outcome.mapping ? { [ATTR.source]: sourceAnnotationValue(outcome.mapping) } : {}),
    ...(outcome.wrote ? { 'replicator.wrote': outcome.wrote } : {}),
  };
}
