import type { StatusRow, StatusSnapshot } from './status-rows';

const HEADINGS = ['TENANT', 'DIRECTION', 'SOURCE', 'TARGET', 'STATE', 'LAST SYNC', 'MESSAGE'] as const;
const SOURCE = 2;
const TARGET = 3;
const GAP = '  ';
/** Room kept for MESSAGE, and the least a squeezed reference keeps, on a narrow terminal. */
const MIN_MESSAGE = 24;
const MIN_REFERENCE = 16;

/**
 * The snapshot as aligned text lines. With `width` (a terminal) each line fits it, so a long
 * message never wraps and pushes the redrawn screen out of place: SOURCE and TARGET are
 * shortened in the middle first (their ends name the Service), so STATE stays in view.
 */
export function renderTable(snapshot: StatusSnapshot, width?: number): string[] {
  const cells = [HEADINGS as readonly string[], ...snapshot.rows.map(rowCells)];
  const widths = columnWidths(cells, width);
  const lines = cells.map((row) =>
    row.map((cell, column) => (column === row.length - 1 ? cell : squeeze(cell, widths[column]).padEnd(widths[column]))).join(GAP).trimEnd(),
  );
  if (snapshot.rows.length === 0) lines.push('(no mappings published yet: config-watcher publishes them once it has read the tenants file)');
  if (snapshot.configProblems.length > 0) lines.push('', ...snapshot.configProblems);
  return width === undefined ? lines : lines.map((line) => squeeze(line, width, 'end'));
}

/** Widths of every column but MESSAGE (which takes what is left). */
function columnWidths(cells: readonly (readonly string[])[], width: number | undefined): number[] {
  const widths = HEADINGS.slice(0, -1).map((_, column) => Math.max(...cells.map((row) => row[column].length)));
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

function rowCells(row: StatusRow): string[] {
  const message = row.configured ? row.message : `(no longer in the config) ${row.message}`;
  return [row.tenant, row.direction, row.source, row.target, row.state, clockTime(row.lastSyncAt), oneLine(message)];
}

/** Local wall-clock time, which is what a person compares with "I just changed it". */
function clockTime(iso: string | undefined): string {
  if (!iso) return '-';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toTimeString().slice(0, 8);
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
