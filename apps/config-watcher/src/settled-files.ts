import { readFile, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

interface FileStat {
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  /** Set by the kernel on every change to the file (a write, a truncate, a utimes), from its own clock. */
  readonly ctimeMs: number;
}

interface Snapshot extends FileStat {
  readonly bytes: Buffer;
}

interface Taken {
  readonly snapshot: Snapshot;
  readonly at: number;
}

type Look = { readonly snapshot: Snapshot; readonly error?: undefined } | { readonly snapshot?: undefined; readonly error: string };

/** A file's bytes once settled, why it cannot be read, or that it is still being written. */
export type SettledRead = { readonly bytes: Buffer } | { readonly error: string } | { readonly unsettled: string };

/**
 * File timestamps are coarse (a kernel tick) and a clock may be stepped a little: a file whose
 * last change is not at least this much older than when it was taken is read again in full.
 */
const RACY_MS = 1_000;

/**
 * Reads files only once they have stayed the same (size, times and content) for `settleMs`: a
 * file written in two parts with a pause between them, or truncated and rewritten, is not taken
 * in between. The wait is counted from the file's last change (its ctime), so a file that has
 * been quiet for long enough is taken after two looks that agree, without sleeping. A file
 * unchanged since it was last taken is returned at once, from its stat alone unless its last
 * change was too close to the taking to tell. One that keeps changing for three settle times is
 * left for a later read (`unsettled`).
 */
export class SettledFiles {
  private readonly taken = new Map<string, Taken>();

  constructor(private readonly settleMs: number) {}

  async read(path: string): Promise<SettledRead> {
    const taken = this.taken.get(path);
    if (taken && (await unchangedSince(path, taken))) return { bytes: taken.snapshot.bytes };
    let current = await look(path);
    if (current.snapshot && taken && sameSnapshot(taken.snapshot, current.snapshot)) {
      // Its content checked again now: the next poll may trust its stat once the last change is old enough.
      this.taken.set(path, { snapshot: taken.snapshot, at: Date.now() });
      return { bytes: taken.snapshot.bytes };
    }
    const giveUpAt = Date.now() + 3 * this.settleMs;
    for (;;) {
      await sleep(this.quietLeft(current));
      const again = await look(path);
      if (sameLook(current, again)) return this.take(path, again);
      if (Date.now() >= giveUpAt) return { unsettled: `${path} is still changing; it is read again later` };
      current = again;
    }
  }

  /** How long until the file has not changed for `settleMs` (a missing file: a whole settle time). */
  private quietLeft(look: Look): number {
    const quietFor = look.snapshot ? Date.now() - look.snapshot.ctimeMs : 0;
    return quietFor < 0 ? this.settleMs : Math.max(0, this.settleMs - quietFor);
  }

  private take(path: string, settled: Look): SettledRead {
    if (settled.error !== undefined) {
      this.taken.delete(path);
      return { error: settled.error };
    }
    this.taken.set(path, { snapshot: settled.snapshot, at: Date.now() });
    return { bytes: settled.snapshot.bytes };
  }
}

/**
 * The same file, not changed since it was taken, by its stat alone: a later write would show as a
 * later ctime, unless the file was taken within a timestamp's precision of its last change.
 */
async function unchangedSince(path: string, taken: Taken): Promise<boolean> {
  if (taken.at - taken.snapshot.ctimeMs < RACY_MS) return false;
  try {
    return sameStat(taken.snapshot, await stat(path));
  } catch {
    return false;
  }
}

async function look(path: string): Promise<Look> {
  try {
    const { ino, size, mtimeMs, ctimeMs } = await stat(path);
    return { snapshot: { ino, size, mtimeMs, ctimeMs, bytes: await readFile(path) } };
  } catch (error) {
    return { error: `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}` };
  }
}

function sameStat(a: FileStat, b: FileStat): boolean {
  return a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;
}

function sameSnapshot(a: Snapshot, b: Snapshot): boolean {
  return sameStat(a, b) && a.bytes.equals(b.bytes);
}

function sameLook(a: Look, b: Look): boolean {
  if (a.snapshot && b.snapshot) return sameSnapshot(a.snapshot, b.snapshot);
  return a.error !== undefined && a.error === b.error;
}
