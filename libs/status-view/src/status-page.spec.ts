import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeHtml, html } from './html';
import { renderErrorPage, renderStatusPage } from './status-page';
import type { StatusReport, StatusRow, TenantReport } from './status-report';

const NOW = new Date(2026, 10, 26, 10, 0, 0);
const SYNCED = new Date(2026, 10, 26, 9, 59, 48).toISOString();
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

function row(fields: Partial<StatusRow>): StatusRow {
  return {
    key: 'a/fromHost/default/db',
    tenant: 'a',
    direction: 'fromHost',
    source: 'host:shared/db',
    target: 'tenant:default/db',
    state: 'in-sync',
    message: 'in sync',
    configured: true,
    ...fields,
  };
}

function report(tenants: TenantReport[]): StatusReport {
  const counts = { 'in-sync': 1, pending: 0, conflict: 1, error: 0, kept: 0 };
  return { generatedAt: NOW.toISOString(), tenants, counts, healthy: false, queue: { name: 'reconcile', counts: { waiting: 4 } } };
}

/** The markup of the row with this key (rows are one `<tr>` each). */
function rowMarkup(page: string, key: string): string {
  const match = new RegExp(`<tr data-key="${key}"[\\s\\S]*?</tr>`).exec(page);
  assert.ok(match, `a row for ${key}`);
  return match[0];
}

const ok = { valid: true, issues: [], warnings: [], checkedAt: NOW.toISOString() };
const synced = row({ lastSyncAt: SYNCED, traceId: TRACE });
const conflict = row({ key: 'a/fromHost/default/taken', target: 'tenant:default/taken', state: 'conflict', message: 'not ours; left untouched' });

describe('renderStatusPage', () => {
  const page = renderStatusPage(report([{ tenant: 'a', config: ok, publishedVersion: 3, rows: [synced, conflict] }]), { refreshSeconds: 2 });

  it('reloads itself every 2 s', () => assert.match(page, /<meta http-equiv="refresh" content="2">/));

  it('shows each row with its state as a badge, its message and its last sync time', () => {
    const markup = rowMarkup(page, 'a/fromHost/default/db');
    assert.match(markup, /data-state="in-sync"/);
    assert.match(markup, /<span class="badge in-sync">in sync<\/span>/);
    assert.match(markup, new RegExp(`<time datetime="${SYNCED}" title="${SYNCED}">09:59:48</time> <small>12 s ago</small>`));
    assert.match(rowMarkup(page, 'a/fromHost/default/taken'), /<span class="badge conflict">conflict<\/span>[\s\S]*not ours; left untouched/);
  });

  it('shows the countdown of a mapping waiting out its removal grace', () => {
    const removing = row({ key: 'a/fromHost/default/old', removeAt: new Date(NOW.getTime() + 25_000).toISOString() });
    const markup = rowMarkup(renderStatusPage(report([{ tenant: 'a', rows: [removing] }]), { refreshSeconds: 2 }), 'a/fromHost/default/old');
    assert.match(markup, /<td class="message"><span class="tag removal">removal in 25 s \(entry removed; put it back to keep the mirror\)<\/span> in sync<\/td>/);
  });

  it('shows the trace id as text without a trace UI, and as a link with one', () => {
    assert.match(rowMarkup(page, 'a/fromHost/default/db'), new RegExp(`<td class="trace"><code class="trace-id">${TRACE}</code></td>`));
    const linked = renderStatusPage(report([{ tenant: 'a', rows: [synced] }]), { refreshSeconds: 2, traceUiUrl: 'http://localhost:16686/trace/{traceId}' });
    assert.match(linked, new RegExp(`<a href="http://localhost:16686/trace/${TRACE}" target="_blank" rel="noopener"><code class="trace-id">${TRACE}`));
  });

  it('shows a refused config above its tenant rows, each issue with its path and line', () => {
    const refused = {
      valid: false,
      issues: [{ path: 'networking.replicateServices.fromHost[0].to', message: '"Bad_Name" is not a DNS-1035 label', line: 5 }],
      warnings: [],
      checkedAt: NOW.toISOString(),
      versionInForce: 3,
    };
    const refusedPage = renderStatusPage(report([{ tenant: 'b', config: refused, rows: [row({ key: 'b/fromHost/default/db', tenant: 'b' })] }]), { refreshSeconds: 2 });
    const notice = refusedPage.indexOf('config refused');
    assert.ok(notice > 0 && notice < refusedPage.indexOf('<tr data-key="b/fromHost/default/db"'), 'the notice comes before the rows');
    assert.match(refusedPage, /version 3 stays in force/);
    assert.match(refusedPage, /<code class="path">networking.replicateServices.fromHost\[0\].to<\/code> <span class="line">line 5<\/span>: <span class="issue">&quot;Bad_Name&quot; is not a DNS-1035 label<\/span>/);
  });

  it('escapes everything that comes from Redis', () => {
    const hostile = row({ key: 'a/"><script>', message: '<img src=x onerror=alert(1)>', traceId: '"><script>alert(1)</script>' });
    const escaped = renderStatusPage(report([{ tenant: '<b>', rows: [hostile] }]), { refreshSeconds: 2, traceUiUrl: 'https://t.example/{traceId}' });
    assert.doesNotMatch(escaped, /<script>|<img|<b>/);
    assert.match(escaped, /&lt;img src=x onerror=alert\(1\)&gt;/);
    assert.match(escaped, /href="https:\/\/t.example\/%22%3E%3Cscript%3Ealert\(1\)%3C%2Fscript%3E"/);
  });

  it('marks rows no longer in the config, links the queue and the JSON, and can stop reloading', () => {
    const still = renderStatusPage(report([{ tenant: 'a', rows: [row({ state: 'kept', configured: false })] }]), { refreshSeconds: 0 });
    assert.match(still, /<span class="tag">no longer in the config<\/span>/);
    assert.match(still, /<a href="queues">queue <code>reconcile<\/code><\/a>: 4 waiting, 0 active, 0 delayed, 0 failed/);
    assert.match(still, /<a href="status.json">JSON<\/a>/);
    assert.doesNotMatch(still, /http-equiv="refresh"/);
  });

  it('says so when nothing is published yet', () => {
    assert.match(renderStatusPage(report([]), { refreshSeconds: 2 }), /No mappings published yet/);
  });
});

describe('renderErrorPage', () => {
  it('shows the escaped reason and keeps reloading', () => {
    const page = renderErrorPage('connect ECONNREFUSED <127.0.0.1:6379>', { refreshSeconds: 2 });
    assert.match(page, /cannot read the replication status<\/strong>: connect ECONNREFUSED &lt;127.0.0.1:6379&gt;/);
    assert.match(page, /http-equiv="refresh"/);
  });
});

describe('html', () => {
  it('escapes interpolated values but not nested html', () => {
    assert.equal(html`<p>${'<&>'}${html`<b>${'"'}</b>`}${[1, '<']}${undefined}${false}</p>`.markup, '<p>&lt;&amp;&gt;<b>&quot;</b>1&lt;</p>');
  });
  it('escapes quotes for attribute values', () => assert.equal(escapeHtml(`"'`), '&quot;&#39;'));
});

describe('renderStatusPage with config warnings', () => {
  it('shows a valid config with warnings as such, each warning with its path', () => {
    const warned = { ...ok, warnings: [{ path: 'policies.networkPolicy.workload.egress', message: 'no egress rule lets the tenant\'s pods reach host namespace "shared"' }] };
    const page = renderStatusPage(report([{ tenant: 'a', config: warned, publishedVersion: 3, rows: [synced] }]), { refreshSeconds: 2 });
    assert.match(page, /config valid, with warnings/);
    assert.match(page, /<code class="path">policies\.networkPolicy\.workload\.egress<\/code>/);
    assert.match(page, /host namespace &quot;shared&quot;/);
  });
});
