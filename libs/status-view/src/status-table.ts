import { formatIssue } from '@service-replicator/replication-config';
import { removalNote, reportRows, type StatusReport, type StatusRow, type TenantReport } from './status-report';
import { clockTime } from './time-format';

export interface TableOptions {
  /** A terminal's width: every line is made to fit it. Unset: lines are as long as they need. */
  readonly width?: number;
  /** Adds a TRACE column (before MESSAGE, so the other columns keep their places). */
  readonly traceIds?: boolean;
}

const HEADINGS = ['TENANT', 'DIRECTION', 'SOURCE', 'TARGET', 'STATE', 'LAST SYNC'] as const;
const SOURCE = 2;
const TARGET = 3;
const GAP = '  ';
/** Room kept for MESSAGE, and the least a squeezed reference keeps, on a narrow terminal. */
const MIN_MESSAGE = 24;
const MIN_REFERENCE = 16;

/**
 * The report as aligned text lines: one table of every row, then each refused config with its
 * issues, then the queue. With `width` each line fits it, so a long message never wraps and
 * pushes a redrawn screen out of place: SOURCE and TARGET are shortened in the middle first
 * (their ends name the Service), so STATE stays in view.
 */
export function renderTable(report: StatusReport, options: TableOptions = {}): string[] {
  const now = new Date(report.generatedAt);
  const headings = [...HEADINGS, ...(options.traceIds ? ['TRACE'] : []), 'MESSAGE'];
  const rows = reportRows(report);
  const cells = [headings, ...rows.map((row) => rowCells(row, now, options.traceIds === true))];
  const widths = columnWidths(cells, options.width);
  const lines = cells.map((row) =>
    row.map((cell, column) => (column === row.length - 1 ? cell : squeeze(cell, widths[column]).padEnd(widths[column]))).join(GAP).trimEnd(),
  );
  if (rows.length === 0) lines.push('(no mappings published yet: config-watcher publishes them once it has read the tenants file)');
  const problems = report.tenants.flatMap(problemLines);
  if (problems.length > 0) lines.push('', ...problems);
  if (report.queue) lines.push('', queueLine(report));
  const { width } = options;
  return width === undefined ? lines : lines.map((line) => squeeze(line, width, 'end'));
}

/** Widths of every column but MESSAGE (which takes what is left). */
function columnWidths(cells: readonly (readonly string[])[], width: number | undefined): number[] {
  const widths = cells[0].slice(0, -1).map((_, column) => Math.max(...cells.map((row) => row[column].length)));
  if (width === undefined) return widths;
  const used = widths.reduce((sum, w) => sum + w + GAP.length, 0);
  const excess = used + MIN_MESSAGE - width;
  if (excess <= 0) return widths;
  const references = widths[SOURCE] + widths[TARGET];
  const room = Math.max(2 * MIN_REFERENCE, references - excess);
  widths[SOURCE] = Math.max(MIN_REFERENCE, Math.floor((room * widths[SOURCE]) / references));
  widths[TARGET] = Math.max(MIN_REFERENCE, room - widths[SOURCE]);
  return widths;
}

function rowCells(row: StatusRow, now: Date, traceIds: boolean): string[] {
  const removal = removalNote(row, now);
  const message = row.configured ? `${removal ? `${removal}; ` : ''}${row.message}` : `(no longer in the config) ${row.message}`;
  const trace = traceIds ? [row.traceId ?? '-'] : [];
  return [row.tenant, row.direction, row.source, row.target, row.state, clockTime(row.lastSyncAt, now), ...trace, oneLine(message)];
}

function problemLines(tenant: TenantReport): string[] {
  const { config } = tenant;
  if (!config) return [];
  if (config.valid) {
    return config.warnings.length === 0 ? [] : [`tenant ${tenant.tenant}: config warnings`, ...config.warnings.map((w) => `  ${oneLine(formatIssue(w))}`)];
  }
  const kept = config.versionInForce === undefined ? 'nothing replicated yet' : `version ${config.versionInForce} stays in force`;
  return [`tenant ${tenant.tenant}: config refused (${kept})`, ...config.issues.map((issue) => `  ${oneLine(formatIssue(issue))}`)];
}

function queueLine(report: StatusReport): string {
  const counts = report.queue?.counts ?? {};
  const parts = ['waiting', 'active', 'delayed', 'failed'].map((state) => `${counts[state] ?? 0} ${state}`);
  return `queue ${report.queue?.name}: ${parts.join(', ')}`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

/** At most `width` characters, the cut marked with an ellipsis in the middle or at the end. */
export function squeeze(text: string, width: number, where: 'middle' | 'end' = 'middle'): string {
  if (text.length <= width) return text;
  if (width <= 1) return '…'.slice(0, width);
  if (where === 'end') return `${text.slice(0, width - 1)}…`;
  const head = Math.floor((width - 1) / 2);
  return `${text.slice(0, head)}…${text.slice(text.length - (width - 1 - head))}`;
}
