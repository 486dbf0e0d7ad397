import { renderTable, squeeze } from '@service-replicator/status-view';
import type { StatusSnapshot } from './status-snapshot';

const REFRESH_MS = 1_000;
const NOTES_SHOWN = 4;
const CLEAR_LINE = '\x1b[K';
const CLEAR_BELOW = '\x1b[J';
const HOME = '\x1b[H';

export interface LiveViewOptions {
  /** Redraw one screen in place (a terminal) or print the table each time it changes. */
  readonly redraw: boolean;
  /** Lines shown above the table on every redraw (where kubeconfigs and logs are). */
  readonly header: readonly string[];
  readonly read: () => Promise<StatusSnapshot>;
  readonly out: NodeJS.WriteStream;
}

/**
 * The live replication table. It reads once a second, one read at a time (a slow Redis must not
 * pile reads up), and hands every snapshot to `onSnapshot` after showing it, so whatever the
 * caller does next (exit when synced) happens with the final table on screen.
 */
export class LiveView {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastShown = '';
  private readonly notes: string[] = [];

  constructor(private readonly options: LiveViewOptions) {}

  start(onSnapshot: (snapshot: StatusSnapshot) => void): void {
    if (this.options.redraw) this.options.out.write('\x1b[2J\x1b[?25l');
    else this.options.out.write(`${this.options.header.join('\n')}\n`);
    const tick = async () => {
      const snapshot = await this.options.read().catch((error: unknown) => String(error));
      if (this.stopped) return;
      this.show(typeof snapshot === 'string' ? [`cannot read the replication status: ${snapshot}`] : renderTable(snapshot.report, { width: this.width() }));
      if (typeof snapshot !== 'string') onSnapshot(snapshot);
      if (!this.stopped) this.timer = setTimeout(() => void tick(), REFRESH_MS);
    };
    void tick();
  }

  /** Something the sandbox did (a port change): a line of its own, or kept above the table. */
  note(text: string): void {
    // A port change still in flight at Ctrl-C must not print below the goodbye.
    if (this.stopped) return;
    const line = `${new Date().toTimeString().slice(0, 8)}  ${text}`;
    if (!this.options.redraw) this.options.out.write(`${line}\n`);
    this.notes.push(line);
    this.notes.splice(0, Math.max(0, this.notes.length - NOTES_SHOWN));
  }

  /** Leaves the last table on screen and gives the cursor back. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.options.redraw) this.options.out.write('\x1b[?25h\n');
  }

  private show(table: string[]): void {
    const text = table.join('\n');
    if (this.options.redraw) {
      const notes = this.notes.length > 0 ? ['', ...this.notes] : [];
      const screen = [...this.options.header, ...notes, '', ...table, '', `updated ${new Date().toTimeString().slice(0, 8)}`];
      this.options.out.write(`${HOME}${screen.map((line) => this.fit(line) + CLEAR_LINE).join('\n')}${CLEAR_BELOW}`);
    } else if (text !== this.lastShown) {
      // Printed only on change, so a log of this output reads as the history of the replication.
      this.options.out.write(`\n--- ${new Date().toTimeString().slice(0, 8)}\n${text}\n`);
    }
    this.lastShown = text;
  }

  private width(): number | undefined {
    return this.options.redraw ? this.options.out.columns : undefined;
  }

  private fit(line: string): string {
    const width = this.width();
    return width === undefined ? line : squeeze(line, width, 'end');
  }
}
