import type { ReplicationState } from '@service-replicator/replication-queue';
import { reportRows, type StatusReport, type StatusRow, type TenantReport } from './status-report';

/** What needs a look comes first: failures, then conflicts, then work not done yet. */
const SEVERITY: Readonly<Record<ReplicationState, number>> = { error: 0, conflict: 1, pending: 2, kept: 3, 'in-sync': 4 };

/** Where a page sits among all rows. */
export interface PageInfo {
  /** Rows before this page. */
  readonly offset: number;
  readonly limit: number;
  /** Rows in the whole report. */
  readonly total: number;
  /** The offset of the next page, when there is one. */
  readonly nextOffset?: number;
}

/** A report cut to one page of rows; counts, config checks and the queue still cover everything. */
export interface PagedStatusReport extends StatusReport {
  readonly page: PageInfo;
}

/**
 * One page of the report's rows, problems first (error, conflict, pending, kept, in sync, each by
 * tenant and then as the report orders them), so a deployment with 10,000 mappings shows what is
 * wrong on its first page and every page stays small. A tenant with no row on the page still appears
 * when its config was refused or warned about: that is a problem too.
 */
export function pageOfReport(report: StatusReport, offset: number, limit: number): PagedStatusReport {
  const ordered = reportRows(report)
    .map((row, index) => ({ row, index }))
    .sort((a, b) => (SEVERITY[a.row.state] ?? 0) - (SEVERITY[b.row.state] ?? 0) || a.index - b.index)
    .map(({ row }) => row);
  const start = Math.max(0, Math.min(offset, ordered.length));
  const rows = ordered.slice(start, start + limit);
  const nextOffset = start + rows.length < ordered.length ? start + rows.length : undefined;
  return {
    ...report,
    tenants: tenantsOnPage(report.tenants, rows),
    page: { offset: start, limit, total: ordered.length, ...(nextOffset === undefined ? {} : { nextOffset }) },
  };
}

function tenantsOnPage(tenants: readonly TenantReport[], rows: readonly StatusRow[]): TenantReport[] {
  const byTenant = new Map<string, StatusRow[]>();
  for (const row of rows) byTenant.set(row.tenant, [...(byTenant.get(row.tenant) ?? []), row]);
  return tenants
    .filter((tenant) => byTenant.has(tenant.tenant) || tenant.config?.valid === false || (tenant.config?.warnings.length ?? 0) > 0)
    .map((tenant) => ({ ...tenant, rows: byTenant.get(tenant.tenant) ?? [] }));
}
