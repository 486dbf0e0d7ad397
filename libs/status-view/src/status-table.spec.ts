import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StatusReport, StatusRow, TenantReport } from './status-report';
import { renderTable, squeeze } from './status-table';

// Local times, so the expected clock times hold in every time zone.
const NOW = new Date(2026, 10, 26, 10, 0, 0);
const SYNCED = new Date(2026, 10, 26, 9, 59, 30).toISOString();
const YESTERDAY = new Date(2026, 10, 25, 23, 5, 0).toISOString();

function row(fields: Partial<StatusRow>): StatusRow {
  return {
    key: 'a/fromHost/default/db',
    tenant: 'a',
    direction: 'fromHost',
    source: 'host:shared/db',
    target: 'tenant:default/db',
    state: 'in-sync',
    message: 'tenant Service default/db is in sync',
    configured: true,
    ...fields,
  };
}

function report(tenants: TenantReport[], extra: Partial<StatusReport> = {}): StatusReport {
  const counts = { 'in-sync': 0, pending: 0, conflict: 0, error: 0, kept: 0 };
  return { generatedAt: NOW.toISOString(), tenants, counts, healthy: true, ...extra };
}

const synced = row({ lastSyncAt: SYNCED, traceId: '4bf92f3577b34da6a3ce929d0e0e4736' });
const conflict = row({
  key: 'a/fromHost/default/taken',
  target: 'tenant:default/taken',
  state: 'conflict',
  message: 'tenant Service default/taken is not managed by service-replicator;\n  left untouched',
  lastSyncAt: YESTERDAY,
});
const kept = row({ key: 'a/toHost/vc-a/web', direction: 'toHost', source: 'tenant:default/web', target: 'host:vc-a/web', state: 'kept', message: 'kept', configured: false });

describe('renderTable', () => {
  it('aligns one row per mapping under the headings, times as local clock times', () => {
    const lines = renderTable(report([{ tenant: 'a', rows: [synced, conflict, kept] }]));
    assert.deepEqual(lines, [
      'TENANT  DIRECTION  SOURCE              TARGET                STATE     LAST SYNC            MESSAGE',
      'a       fromHost   host:shared/db      tenant:default/db     in-sync   09:59:30             tenant Service default/db is in sync',
      'a       fromHost   host:shared/db      tenant:default/taken  conflict  2026-11-25 23:05:00  tenant Service default/taken is not managed by service-replicator; left untouched',
      'a       toHost     tenant:default/web  host:vc-a/web         kept      -                    (no longer in the config) kept',
    ]);
  });

  it('adds a TRACE column before MESSAGE when asked, keeping the other columns in place', () => {
    const [heading, first] = renderTable(report([{ tenant: 'a', rows: [synced, kept] }]), { traceIds: true });
    assert.match(heading, /LAST SYNC {2}TRACE {29}MESSAGE$/);
    assert.deepEqual(first.split(/ {2,}/).slice(4), ['in-sync', '09:59:30', '4bf92f3577b34da6a3ce929d0e0e4736', 'tenant Service default/db is in sync']);
  });

  it('puts the countdown of a mapping waiting out its removal grace in front of its message', () => {
    const removing = row({ removeAt: new Date(NOW.getTime() + 12_000).toISOString() });
    const [, line] = renderTable(report([{ tenant: 'a', rows: [removing] }]));
    assert.match(line, /in-sync .*removal in 12 s \(entry removed; put it back to keep the mirror\); tenant Service default\/db is in sync$/);
  });

  it('lists each refused config with its issues below the table, and the queue', () => {
    const config = { valid: false, issues: [{ path: 'networking.replicateServices.fromHost[0].to', message: 'bad name', line: 5 }], warnings: [], checkedAt: NOW.toISOString() };
    const queue = { name: 'reconcile', counts: { waiting: 2, active: 1, delayed: 0, failed: 3 } };
    const lines = renderTable(report([{ tenant: 'b', config, publishedVersion: undefined, rows: [] }], { queue }));
    assert.deepEqual(lines.slice(1), [
      '(no mappings published yet: config-watcher publishes them once it has read the tenants file)',
      '',
      'tenant b: config refused (nothing replicated yet)',
      '  networking.replicateServices.fromHost[0].to: bad name (line 5)',
      '',
      'queue reconcile: 2 waiting, 1 active, 0 delayed, 3 failed',
    ]);
  });

  it('fits a narrow terminal by shortening SOURCE and TARGET in the middle, then cutting lines', () => {
    const long = row({ source: `host:${'n'.repeat(40)}/${'s'.repeat(40)}`, target: `tenant:${'t'.repeat(40)}/db` });
    const lines = renderTable(report([{ tenant: 'a', rows: [long] }]), { width: 100 });
    for (const line of lines) assert.ok(line.length <= 100, line);
    assert.match(lines[1], /^a +fromHost +host:n+…s+ +tenant:…t+\/db +in-sync +- +tenant Service defau…$/);
  });
});

describe('squeeze', () => {
  it('keeps both ends when cutting in the middle', () => assert.equal(squeeze('abcdefghij', 5), 'ab…ij'));
  it('cuts the end when asked', () => assert.equal(squeeze('abcdefghij', 5, 'end'), 'abcd…'));
  it('leaves short text alone', () => assert.equal(squeeze('abc', 5), 'abc'));
});
