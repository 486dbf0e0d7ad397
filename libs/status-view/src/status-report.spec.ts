import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Direction, Mapping, TenantSpec } from '@service-replicator/replication-config';
import type { ConfigCheck, MappingStatus, PublishedTenant } from '@service-replicator/replication-queue';
import { buildStatusReport, NOT_RECONCILED, removalNote, reportRows, type StatusInput } from './status-report';

const NOW = new Date('2026-11-26T10:00:00.000Z');

function mapping(tenant: string, direction: Direction, source: string, target: string): Mapping {
  const ref = (text: string) => ({ namespace: text.split('/')[0], name: text.split('/')[1] });
  return { tenant, direction, source: ref(source), target: ref(target) };
}

function published(tenant: string, mappings: Mapping[], version = 1): PublishedTenant {
  const spec = { name: tenant, hostNamespace: `vc-${tenant}` } as TenantSpec;
  return { tenant: spec, mappings, version, publishedAt: NOW.toISOString() };
}

function status(key: string, fields: Partial<MappingStatus>): MappingStatus {
  const [tenant, direction] = key.split('/') as [string, Direction];
  return { key, tenant, direction, target: 'x', state: 'in-sync', message: 'ok', updatedAt: NOW.toISOString(), ...fields };
}

function check(tenant: string, fields: Partial<ConfigCheck> = {}): ConfigCheck {
  return { tenant, valid: true, issues: [], checkedAt: NOW.toISOString(), ...fields };
}

const input = (fields: Partial<StatusInput>): StatusInput => ({ published: [], statuses: [], checks: [], now: NOW, ...fields });

const db = mapping('a', 'fromHost', 'shared/db', 'default/db');
const web = mapping('a', 'toHost', 'default/web', 'vc-a/web');
const api = mapping('b', 'fromHost', 'shared/api', 'default/api');

describe('buildStatusReport', () => {
  it('shows a published mapping the writer has not reported on as pending, not reconciled yet', () => {
    const report = buildStatusReport(input({ published: [published('a', [db])] }));
    const [row] = reportRows(report);
    assert.deepEqual(row, {
      key: 'a/fromHost/default/db',
      tenant: 'a',
      direction: 'fromHost',
      source: 'host:shared/db',
      target: 'tenant:default/db',
      state: 'pending',
      message: NOT_RECONCILED,
      lastSyncAt: undefined,
      updatedAt: undefined,
      traceId: undefined,
      configured: true,
    });
    assert.equal(report.healthy, false);
  });

  it('takes state, message, last sync and trace id from the record, and source and target from the mapping', () => {
    const record = status('a/toHost/vc-a/web', { source: 'tenant:default/old', state: 'in-sync', lastSyncAt: '2026-11-26T09:59:00.000Z', traceId: 'abc' });
    const [row] = reportRows(buildStatusReport(input({ published: [published('a', [web])], statuses: [record] })));
    assert.equal(row.source, 'tenant:default/web', 'after an edit the record may still name the old source');
    assert.equal(row.target, 'host:vc-a/web');
    assert.equal(row.state, 'in-sync');
    assert.equal(row.lastSyncAt, '2026-11-26T09:59:00.000Z');
    assert.equal(row.traceId, 'abc');
  });

  it('keeps records whose mapping is gone (a kept toHost mirror), marked as no longer configured', () => {
    const kept = status('a/toHost/vc-a/gone', { source: 'tenant:default/gone', target: 'host:vc-a/gone', state: 'kept', message: 'mapping removed' });
    const report = buildStatusReport(input({ published: [published('a', [db])], statuses: [kept, status('a/fromHost/default/db', {})] }));
    const rows = reportRows(report);
    assert.deepEqual(rows.map((r) => [r.key, r.state, r.configured]), [
      ['a/fromHost/default/db', 'in-sync', true],
      ['a/toHost/vc-a/gone', 'kept', false],
    ]);
    assert.equal(report.healthy, true, 'in-sync and kept are both fine');
  });

  it('a mapping waiting out its removal grace (or its tenant\'s) says when it is removed', () => {
    const removing = { ...published('a', [db, web]), pendingRemovals: { 'a/toHost/vc-a/web': '2026-11-26T10:00:12.400Z' } };
    const retiring = { ...published('b', [api]), retireAt: '2026-11-26T10:00:30.000Z' };
    const rows = reportRows(buildStatusReport(input({ published: [removing, retiring] })));
    assert.deepEqual(rows.map((row) => [row.key, row.removeAt]), [
      ['a/fromHost/default/db', undefined],
      ['a/toHost/vc-a/web', '2026-11-26T10:00:12.400Z'],
      ['b/fromHost/default/api', '2026-11-26T10:00:30.000Z'],
    ]);
    assert.equal(removalNote(rows[1], NOW), 'removal in 13 s (entry removed; put it back to keep the mirror)');
    assert.equal(removalNote(rows[0], NOW), undefined);
    assert.equal(removalNote(rows[1], new Date('2026-11-26T10:01:00.000Z')), 'removal in 0 s (entry removed; put it back to keep the mirror)');
  });

  it('groups rows per tenant in name order, fromHost first, then by target', () => {
    const dbToo = mapping('a', 'fromHost', 'shared/db', 'apps/db');
    const report = buildStatusReport(input({ published: [published('b', [api]), published('a', [web, db, dbToo])] }));
    assert.deepEqual(report.tenants.map((t) => t.tenant), ['a', 'b']);
    assert.deepEqual(report.tenants[0].rows.map((r) => r.key), ['a/fromHost/apps/db', 'a/fromHost/default/db', 'a/toHost/vc-a/web']);
  });

  it('lists a tenant whose config was refused before anything was published, with its issues', () => {
    const issues = [{ path: 'networking.replicateServices.fromHost[0].to', message: 'Bad_Name is not a DNS-1035 label', line: 5 }];
    const report = buildStatusReport(input({ checks: [check('c', { valid: false, issues })] }));
    assert.deepEqual(report.tenants, [
      { tenant: 'c', config: { valid: false, issues, warnings: [], checkedAt: NOW.toISOString(), versionInForce: undefined }, publishedVersion: undefined, rows: [] },
    ]);
    assert.equal(report.healthy, false, 'a refused config is not healthy even with every mapping in sync');
  });

  it('carries the published version and the version in force beside a refused config', () => {
    const report = buildStatusReport(input({ published: [published('a', [db], 7)], checks: [check('a', { valid: false, versionInForce: 7 })] }));
    assert.equal(report.tenants[0].publishedVersion, 7);
    assert.equal(report.tenants[0].config?.versionInForce, 7);
  });

  it('counts rows per state, every state present', () => {
    const statuses = [status('a/fromHost/default/db', { state: 'conflict' }), status('a/toHost/vc-a/web', { state: 'error' })];
    const report = buildStatusReport(input({ published: [published('a', [db, web]), published('b', [api])], statuses }));
    assert.deepEqual(report.counts, { 'in-sync': 0, pending: 1, conflict: 1, error: 1, kept: 0 });
    assert.equal(report.healthy, false);
  });

  it('is healthy with nothing published and nothing refused', () => {
    const report = buildStatusReport(input({ checks: [check('a')] }));
    assert.equal(report.healthy, true);
    assert.equal(report.generatedAt, NOW.toISOString());
  });
});
