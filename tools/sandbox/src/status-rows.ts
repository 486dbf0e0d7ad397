import { formatRef } from '@service-replicator/references';
import { formatIssue, mappingKeyOf, type Direction, type Mapping } from '@service-replicator/replication-config';
import type { ConfigCheck, MappingStatus, MappingStore, StatusStore } from '@service-replicator/replication-queue';

/** One line of the table: a configured mapping, or a status left by a mapping since removed. */
export interface StatusRow {
  readonly tenant: string;
  readonly direction: Direction;
  readonly source: string;
  readonly target: string;
  /** The writer's state, or `waiting` while it has not reported on a published mapping yet. */
  readonly state: string;
  readonly lastSyncAt?: string;
  readonly message: string;
  /** False for a status whose mapping is no longer in the config (a kept toHost mirror, say). */
  readonly configured: boolean;
  /** In sync with a source that exists: the mirror is there and current. */
  readonly replicated: boolean;
}

export interface StatusSnapshot {
  readonly rows: readonly StatusRow[];
  /** One line per issue of a tenant config that config-watcher refused. */
  readonly configProblems: readonly string[];
  /** At least one mapping, every mapping in-sync and every config valid. */
  readonly synced: boolean;
}

/** Reads, from the Redis records the apps keep, what the table shows. */
export async function readStatusSnapshot(mappings: MappingStore, statuses: StatusStore): Promise<StatusSnapshot> {
  const [published, recorded, checks] = await Promise.all([mappings.all(), statuses.all(), mappings.checks()]);
  const byKey = new Map(recorded.map((status) => [status.key, status]));
  const configured = published.flatMap((tenant) => tenant.mappings).map((mapping) => configuredRow(mapping, byKey.get(mappingKeyOf(mapping))));
  const configuredKeys = new Set(published.flatMap((tenant) => tenant.mappings.map(mappingKeyOf)));
  const leftOver = recorded.filter((status) => !configuredKeys.has(status.key)).map(leftOverRow);
  const configProblems = checks.filter((check) => !check.valid).flatMap(problemLines);
  return {
    rows: [...configured, ...leftOver].sort(byTenantDirectionTarget),
    configProblems,
    synced: configured.length > 0 && configured.every((row) => row.replicated) && configProblems.length === 0,
  };
}

function configuredRow(mapping: Mapping, status: MappingStatus | undefined): StatusRow {
  const [sourceSide, targetSide] = mapping.direction === 'fromHost' ? ['host', 'tenant'] : ['tenant', 'host'];
  // The writer also calls a mapping in-sync when its source does not exist (no mirror is then
  // right). Exiting on that would end the chained sample (toHost reads what fromHost creates)
  // before the second mirror is written. The words are the writer's (the reconcile plan's).
  const sourceMissing = status?.message.includes(`${sourceSide} Service ${formatRef(mapping.source)} does not exist`) ?? false;
  return {
    tenant: mapping.tenant,
    direction: mapping.direction,
    source: `${sourceSide}:${formatRef(mapping.source)}`,
    target: `${targetSide}:${formatRef(mapping.target)}`,
    state: status?.state ?? 'waiting',
    lastSyncAt: status?.lastSyncAt,
    message: status?.message ?? 'published; waiting for the writer',
    configured: true,
    replicated: status?.state === 'in-sync' && !sourceMissing,
  };
}

function leftOverRow(status: MappingStatus): StatusRow {
  return {
    tenant: status.tenant,
    direction: status.direction,
    source: status.source ?? '-',
    target: status.target,
    state: status.state,
    lastSyncAt: status.lastSyncAt,
    message: status.message,
    configured: false,
    replicated: false,
  };
}

function problemLines(check: ConfigCheck): string[] {
  const kept = check.versionInForce === undefined ? 'nothing replicated yet' : `version ${check.versionInForce} stays in force`;
  return [`tenant ${check.tenant}: config refused (${kept})`, ...check.issues.map((issue) => `  ${formatIssue(issue)}`)];
}

function byTenantDirectionTarget(a: StatusRow, b: StatusRow): number {
  return a.tenant.localeCompare(b.tenant) || a.direction.localeCompare(b.direction) || a.target.localeCompare(b.target);
}
