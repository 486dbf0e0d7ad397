import type { ConfigIssue } from '@service-replicator/replication-config';
import type { ReplicationState } from '@service-replicator/replication-queue';
import { Html, html } from './html';
import { removalNote, STATES, type StatusReport, type StatusRow, type TenantReport } from './status-report';
import type { PagedStatusReport } from './status-report-page';
import { STATUS_PAGE_STYLE } from './status-page.style';
import { age, clockTime } from './time-format';

export interface PageOptions {
  /** Seconds between reloads; 0 turns reloading off (to copy text, or for a stable screenshot). */
  readonly refreshSeconds: number;
  /** A trace UI address with `{traceId}` in it (TRACE_UI_URL); trace ids become links to it. */
  readonly traceUiUrl?: string;
}

const LABELS: Readonly<Record<ReplicationState, string>> = {
  'in-sync': 'in sync',
  pending: 'pending',
  conflict: 'conflict',
  error: 'error',
  kept: 'kept',
};

/**
 * The status page, rendered on the server: no script and no front-end build, reloaded by the
 * browser every few seconds (a meta refresh, which keeps working when a read fails).
 */
export function renderStatusPage(report: StatusReport | PagedStatusReport, options: PageOptions): string {
  const now = new Date(report.generatedAt);
  const body = html`
<header>
  <h1>service-replicator <span>replication status</span></h1>
  <p class="summary">${STATES.map((state) => summaryBadge(state, report.counts[state]))}</p>
  <p class="meta">updated <time datetime="${report.generatedAt}">${clockTime(report.generatedAt, now)}</time>${refreshNote(options)}
    · ${queueLink(report)} · <a href="status.json">JSON</a></p>
  ${'page' in report ? pager(report, options) : ''}
</header>
<main>
${report.tenants.length === 0 ? html`<p class="empty">No mappings published yet: config-watcher publishes them once it has read the tenants file.</p>` : ''}
${report.tenants.map((tenant) => tenantSection(tenant, now, options))}
</main>`;
  return document('service-replicator status', body, options.refreshSeconds);
}

/** Shown while Redis cannot be read; it keeps reloading, so it recovers by itself. */
export function renderErrorPage(message: string, options: PageOptions): string {
  const body = html`<header><h1>service-replicator <span>replication status</span></h1></header>
<main><div class="config refused" role="alert"><strong>cannot read the replication status</strong>: ${message}</div></main>`;
  return document('service-replicator status: unavailable', body, options.refreshSeconds);
}

function document(title: string, body: Html, refreshSeconds: number): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${refreshSeconds > 0 ? html`<meta http-equiv="refresh" content="${refreshSeconds}">` : ''}
<title>${title}</title>
<style>${new Html(STATUS_PAGE_STYLE)}</style>
</head>
<body>${body}
</body>
</html>
`.markup;
}

/** Which rows this page shows, and links to its neighbours (which keep the refresh setting). */
function pager(report: PagedStatusReport, options: PageOptions): Html | string {
  const { offset, limit, total, nextOffset } = report.page;
  if (total <= limit && offset === 0) return '';
  const number = Math.floor(offset / limit) + 1;
  const link = (page: number, text: string) => html`<a href="?page=${page}&amp;refresh=${options.refreshSeconds}">${text}</a>`;
  const previous = number > 1 ? link(number - 1, '‹ previous') : '';
  const next = nextOffset === undefined ? '' : link(number + 1, 'next ›');
  const shown = total === 0 ? 'no rows' : `rows ${offset + 1}–${offset + reportRowCount(report)} of ${total}`;
  return html`<p class="pager">page ${number}: ${shown}, problems first ${previous} ${next}</p>`;
}

function reportRowCount(report: StatusReport): number {
  return report.tenants.reduce((sum, tenant) => sum + tenant.rows.length, 0);
}

/** Zero counts are dimmed, so what needs a look stands out. */
function summaryBadge(state: ReplicationState, count: number): Html {
  return html`<span class="badge ${state}${count === 0 ? ' zero' : ''}" data-count="${count}">${count} ${LABELS[state]}</span> `;
}

function refreshNote(options: PageOptions): Html | string {
  return options.refreshSeconds > 0 ? html` · refreshes every ${options.refreshSeconds} s` : html` · <a href="?refresh=2">refresh every 2 s</a>`;
}

function queueLink(report: StatusReport): Html {
  if (!report.queue) return html`<a href="queues">queue</a>`;
  const counts = report.queue.counts;
  const parts = ['waiting', 'active', 'delayed', 'failed'].map((state) => `${counts[state] ?? 0} ${state}`).join(', ');
  return html`<a href="queues">queue <code>${report.queue.name}</code></a>: ${parts}`;
}

function tenantSection(tenant: TenantReport, now: Date, options: PageOptions): Html {
  const version = tenant.publishedVersion === undefined ? '' : html` <small>mappings version ${tenant.publishedVersion}</small>`;
  return html`
<section class="tenant" id="tenant-${tenant.tenant}" data-tenant="${tenant.tenant}">
  <h2>tenant <code>${tenant.tenant}</code>${version}</h2>
  ${configNotice(tenant, now)}
  ${tenant.rows.length === 0 ? html`<p class="empty">No mappings.</p>` : rowsTable(tenant.rows, now, options)}
</section>`;
}

/** A refused config goes above the rows: those rows are the last good config, still in force. */
function configNotice(tenant: TenantReport, now: Date): Html {
  const { config } = tenant;
  if (!config) return html`<p class="config unknown">config not read yet</p>`;
  const checked = html`<time datetime="${config.checkedAt}">${clockTime(config.checkedAt, now)}</time>`;
  if (config.valid && config.warnings.length > 0) {
    return html`<div class="config warned"><strong>config valid, with warnings</strong> (checked ${checked})
    <ul>${config.warnings.map(issueItem)}</ul></div>`;
  }
  if (config.valid) return html`<p class="config ok">config valid (checked ${checked})</p>`;
  const kept = config.versionInForce === undefined ? 'nothing is replicated for this tenant yet' : `version ${config.versionInForce} stays in force`;
  return html`<div class="config refused" role="alert">
    <strong>config refused</strong>: ${kept} (checked ${checked})
    <ul>${config.issues.map(issueItem)}</ul>
  </div>`;
}

function issueItem(issue: ConfigIssue): Html {
  const where = issue.path === '' ? 'document' : issue.path;
  const line = issue.line === undefined ? '' : html` <span class="line">line ${issue.line}</span>`;
  return html`<li><code class="path">${where}</code>${line}: <span class="issue">${issue.message}</span></li>`;
}

function rowsTable(rows: readonly StatusRow[], now: Date, options: PageOptions): Html {
  return html`<table>
    <thead><tr><th>direction</th><th>source</th><th>target</th><th>state</th><th>message</th><th>last sync</th><th>trace</th></tr></thead>
    <tbody>${rows.map((row) => rowLine(row, now, options))}</tbody>
  </table>`;
}

function rowLine(row: StatusRow, now: Date, options: PageOptions): Html {
  const removal = removalNote(row, now);
  const gone = row.configured ? (removal ? html`<span class="tag removal">${removal}</span> ` : '') : html`<span class="tag">no longer in the config</span> `;
  return html`
      <tr data-key="${row.key}" data-state="${row.state}">
        <td class="direction">${row.direction}</td>
        <td class="source"><code>${row.source}</code></td>
        <td class="target"><code>${row.target}</code></td>
        <td class="state"><span class="badge ${row.state}">${LABELS[row.state] ?? row.state}</span></td>
        <td class="message">${gone}${row.message}</td>
        <td class="last-sync">${lastSync(row, now)}</td>
        <td class="trace">${traceCell(row.traceId, options.traceUiUrl)}</td>
      </tr>`;
}

function lastSync(row: StatusRow, now: Date): Html {
  if (!row.lastSyncAt) return html`<span class="none">never</span>`;
  return html`<time datetime="${row.lastSyncAt}" title="${row.lastSyncAt}">${clockTime(row.lastSyncAt, now)}</time> <small>${age(row.lastSyncAt, now)}</small>`;
}

function traceCell(traceId: string | undefined, traceUiUrl: string | undefined): Html {
  if (!traceId) return html`<span class="none">-</span>`;
  const id = html`<code class="trace-id">${traceId}</code>`;
  if (!traceUiUrl) return id;
  return html`<a href="${traceUiUrl.replaceAll('{traceId}', encodeURIComponent(traceId))}" target="_blank" rel="noopener">${id}</a>`;
}
