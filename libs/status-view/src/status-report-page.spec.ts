import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Direction, Mapping, TenantSpec } from '@service-replicator/replication-config';
import type { MappingStatus, ReplicationState } from '@service-replicator/replication-queue';
import { buildStatusReport, reportRows } from './status-report';
import { pageOfReport } from './status-report-page';

const NOW = new Date('2026-11-26T10:00:00.000Z');

/** Tenant `tenant` with one fromHost mapping per state, targets named after the state and `n`. */
function world(tenants: Record<string, ReplicationState[]>) {
  const published = Object.entries(tenants).map(([tenant, states]) => ({
    tenant: { name: tenant, hostNamespace: `vc-${tenant}` } as TenantSpec,
    mappings: states.map((state, n): Mapping => ({ tenant, direction: 'fromHost', source: { namespace: 'shared', name: 'db' }, target: { namespace: 'default', name: `${state}-${n}` } })),
    version: 1,
    publishedAt: NOW.toISOString(),
  }));
  const statuses = Object.entries(tenants).flatMap(([tenant, states]) =>
    states.map((state, n): MappingStatus => ({ key: `${tenant}/fromHost/default/${state}-${n}`, tenant, direction: 'fromHost' as Direction, target: 'x', state, message: state, updatedAt: NOW.toISOString() })),
  );
  return buildStatusReport({ published, statuses, checks: [], now: NOW });
}

const names = (report: ReturnType<typeof world>) => reportRows(report).map((row) => `${row.tenant}:${row.key.split('/').at(-1)}`);

describe('pageOfReport', () => {
  const report = world({ a: ['in-sync', 'error', 'kept', 'pending'], b: ['in-sync', 'conflict', 'error'] });

  it('puts problems first (error, conflict, pending, kept, in sync) and cuts to the page', () => {
    const first = pageOfReport(report, 0, 3);
    assert.deepEqual(names(first), ['a:error-1', 'b:error-2', 'b:conflict-1']);
    assert.deepEqual(first.page, { offset: 0, limit: 3, total: 7, nextOffset: 3 });
    const second = pageOfReport(report, 3, 3);
    assert.deepEqual(names(second), ['a:pending-3', 'a:kept-2', 'a:in-sync-0']);
    const last = pageOfReport(report, 6, 3);
    assert.deepEqual(names(last), ['b:in-sync-0']);
    assert.deepEqual(last.page, { offset: 6, limit: 3, total: 7 });
  });

  it('keeps the counts of the whole report, and a tenant with a refused config on every page', () => {
    const refused = { ...report, tenants: [...report.tenants, { tenant: 'c', rows: [], config: { valid: false, issues: [{ path: 'x', message: 'bad' }], warnings: [], checkedAt: NOW.toISOString() } }] };
    const page = pageOfReport(refused, 0, 1);
    assert.deepEqual(page.counts, report.counts);
    assert.deepEqual(page.tenants.map((tenant) => tenant.tenant), ['a', 'c']);
  });

  it('gives an empty page past the end', () => {
    assert.deepEqual(names(pageOfReport(report, 50, 10)), []);
    assert.deepEqual(pageOfReport(report, 50, 10).page, { offset: 7, limit: 10, total: 7 });
  });
});
