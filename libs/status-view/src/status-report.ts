import { redactSecrets } from '@service-replicator/redaction';
import { formatRef } from '@service-replicator/references';
import { mappingKeyOf, type ConfigIssue, type Direction, type Mapping } from '@service-replicator/replication-config';
import type { ConfigCheck, MappingStatus, PublishedTenant, ReplicationState } from '@service-replicator/replication-queue';

export const STATES: readonly ReplicationState[] = ['in-sync', 'pending', 'conflict', 'error', 'kept'];

/** What a published mapping shows before the writer has reported on it. */
export const NOT_RECONCILED = 'not reconciled yet';

/** One line of the view: a published mapping, or a status record whose mapping is gone. */
export interface StatusRow {
  /** The queue key, `tenant/direction/namespace/name`. */
  readonly key: string;
  readonly tenant: string;
  readonly direction: Direction;
  /** `host:ns/name` or `tenant:ns/name`; `-` when a removed mapping's record does not say. */
  readonly source: string;
  readonly target: string;
  readonly state: ReplicationState;
  readonly message: string;
  readonly lastSyncAt?: string;
  readonly updatedAt?: string;
  readonly traceId?: string;
  /** False for a record whose mapping is no longer published (a kept toHost mirror, say). */
  readonly configured: boolean;
  /**
   * When the mapping is removed: its entry is gone from the config (or its tenant from the tenants
   * file) and it waits out the removal grace; putting it back cancels the removal.
   */
  readonly removeAt?: string;
}

/** config-watcher's last word on a tenant's vcluster.yaml. */
export interface TenantConfigState {
  readonly valid: boolean;
  /** Each with its path in the document and, when known, its line. */
  readonly issues: readonly ConfigIssue[];
  /** A valid config's warnings (e.g. a network-policy rule that replicated traffic needs). */
  readonly warnings: readonly ConfigIssue[];
  readonly checkedAt: string;
  /** With a refused config, the last good version, which stays in force. */
  readonly versionInForce?: number;
}

export interface TenantReport {
  readonly tenant: string;
  /** Absent until config-watcher has read the tenant's config. */
  readonly config?: TenantConfigState;
  readonly publishedVersion?: number;
  readonly rows: readonly StatusRow[];
}

/** BullMQ's job counts of the reconcile queue, by job state. */
export interface QueueSummary {
  readonly name: string;
  readonly counts: Readonly<Record<string, number>>;
}

export interface StatusReport {
  readonly generatedAt: string;
  readonly tenants: readonly TenantReport[];
  /** Rows per state, every state present (0 included), so a consumer needs no defaults. */
  readonly counts: Readonly<Record<ReplicationState, number>>;
  readonly queue?: QueueSummary;
  /** Every row in-sync or kept and no config refused: the CLI's exit code 0. */
  readonly healthy: boolean;
}

/** Everything the report is built from, as read from Redis. */
export interface StatusInput {
  readonly published: readonly PublishedTenant[];
  readonly statuses: readonly MappingStatus[];
  readonly checks: readonly ConfigCheck[];
  readonly queue?: QueueSummary;
  readonly now: Date;
}

/**
 * Joins the published mappings with the writer's status records, per tenant: every mapping
 * appears (with no record yet it is `pending`), and so does every record whose mapping is gone,
 * because a kept toHost mirror or a failed removal is still something an operator must see.
 */
export function buildStatusReport(input: StatusInput): StatusReport {
  const byKey = new Map(input.statuses.map((status) => [status.key, status]));
  const publishedKeys = new Set<string>();
  const rows: StatusRow[] = [];
  for (const tenant of input.published) {
    for (const mapping of tenant.mappings) {
      const key = mappingKeyOf(mapping);
      publishedKeys.add(key);
      const removeAt = tenant.pendingRemovals?.[key] ?? tenant.retireAt;
      rows.push({ ...mappingRow(mapping, byKey.get(key)), ...(removeAt !== undefined && { removeAt }) });
    }
  }
  rows.push(...input.statuses.filter((status) => !publishedKeys.has(status.key)).map(orphanRow));
  const tenants = tenantReports(input, rows);
  return {
    generatedAt: input.now.toISOString(),
    tenants,
    counts: countStates(rows),
    queue: input.queue,
    healthy: rows.every((row) => row.state === 'in-sync' || row.state === 'kept') && tenants.every((t) => t.config?.valid !== false),
  };
}

/** "removal in 12 s" for a row waiting out its removal grace, seen at `now`. */
export function removalNote(row: StatusRow, now: Date): string | undefined {
  if (row.removeAt === undefined) return undefined;
  const seconds = Math.max(0, Math.ceil((Date.parse(row.removeAt) - now.getTime()) / 1_000));
  return `removal in ${seconds} s (entry removed; put it back to keep the mirror)`;
}

/** Every row of every tenant, in the report's order. */
export function reportRows(report: StatusReport): StatusRow[] {
  return report.tenants.flatMap((tenant) => tenant.rows);
}

function mappingRow(mapping: Mapping, status: MappingStatus | undefined): StatusRow {
  const [sourceSide, targetSide] = mapping.direction === 'fromHost' ? ['host', 'tenant'] : ['tenant', 'host'];
  return {
    key: mappingKeyOf(mapping),
    tenant: mapping.tenant,
    direction: mapping.direction,
    // From the mapping, not the record: after an edit the record may still name the old source.
    source: `${sourceSide}:${formatRef(mapping.source)}`,
    target: `${targetSide}:${formatRef(mapping.target)}`,
    state: status?.state ?? 'pending',
    message: status ? redactSecrets(status.message) : NOT_RECONCILED,
    lastSyncAt: status?.lastSyncAt,
    updatedAt: status?.updatedAt,
    traceId: status?.traceId,
    configured: true,
  };
}

function orphanRow(status: MappingStatus): StatusRow {
  const { key, tenant, direction, target, state, lastSyncAt, updatedAt, traceId } = status;
  const message = redactSecrets(status.message);
  return { key, tenant, direction, source: status.source ?? '-', target, state, message, lastSyncAt, updatedAt, traceId, configured: false };
}

/** Every tenant that has mappings, a config check or records, in name order. */
function tenantReports(input: StatusInput, rows: readonly StatusRow[]): TenantReport[] {
  const names = new Set([...input.published.map((p) => p.tenant.name), ...input.checks.map((c) => c.tenant), ...rows.map((r) => r.tenant)]);
  return [...names].sort(byName).map((tenant) => {
    const check = input.checks.find((c) => c.tenant === tenant);
    return {
      tenant,
      config: check && {
        valid: check.valid,
        issues: redactedIssues(check.issues),
        warnings: redactedIssues(check.warnings ?? []),
        checkedAt: check.checkedAt,
        versionInForce: check.versionInForce,
      },
      publishedVersion: input.published.find((p) => p.tenant.name === tenant)?.version,
      rows: rows.filter((row) => row.tenant === tenant).sort(byDirectionTarget),
    };
  });
}

/** Records written before the writers redacted them are redacted on the way out too. */
function redactedIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  return issues.map((issue) => ({ ...issue, message: redactSecrets(issue.message) }));
}

function countStates(rows: readonly StatusRow[]): Record<ReplicationState, number> {
  const counts = Object.fromEntries(STATES.map((state) => [state, 0])) as Record<ReplicationState, number>;
  // `?? 0`: a record written by a newer writer may carry a state this view does not know yet.
  for (const row of rows) counts[row.state] = (counts[row.state] ?? 0) + 1;
  return counts;
}

function byName(a: string, b: string): number {
  return a.localeCompare(b);
}

/** fromHost before toHost, then by target: stable between reads, so a redraw does not jump. */
function byDirectionTarget(a: StatusRow, b: StatusRow): number {
  return a.direction.localeCompare(b.direction) || a.target.localeCompare(b.target);
}
