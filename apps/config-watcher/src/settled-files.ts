import { readFile, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

interface Snapshot {
  readonly size: number;
  readonly mtimeMs: number;
  readonly bytes: Buffer;
}

type Look = { readonly snapshot: Snapshot; readonly error?: undefined } | { readonly snapshot?: undefined; readonly error: string };

/** A file's bytes once settled, why it cannot be read, or that it is still being written. */
export type SettledRead = { readonly bytes: Buffer } | { readonly error: string } | { readonly unsettled: string };

/**
 * Reads files only once they have stayed the same (size, mtime and content) for `settleMs`: a
 * file written in two parts with a pause between them, or truncated and rewritten, is not taken
 * in between. A file unchanged since it was last taken is returned at once. One that keeps
 * changing for three settle times is left for a later read (`unsettled`).
 */
export class SettledFiles {
  private readonly taken = new Map<string, Snapshot>();

  constructor(private readonly settleMs: number) {}

  async read(path: string): Promise<SettledRead> {
    let current = await look(path);
    const taken = this.taken.get(path);
    if (current.snapshot && taken && sameSnapshot(taken, current.snapshot)) return { bytes: taken.bytes };
    const giveUpAt = Date.now() + 3 * this.settleMs;
    for (;;) {
      await sleep(this.settleMs);
      const again = await look(path);
      if (sameLook(current, again)) return this.take(path, again);
      if (Date.now() >= giveUpAt) return { unsettled: `${path} is still changing; it is read again later` };
      current = again;
    }
  }

  private take(path: string, settled: Look): SettledRead {
    if (settled.error !== undefined) {
      this.taken.delete(path);
      return { error: settled.error };
    }
    this.taken.set(path, settled.snapshot);
    return { bytes: settled.snapshot.bytes };
  }
}

async function look(path: string): Promise<Look> {
  try {
    const { size, mtimeMs } = await stat(path);
    return { snapshot: { size, mtimeMs, bytes: await readFile(path) } };
  } catch (error) {
    return { error: `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}` };
  }
}

function sameSnapshot(a: Snapshot, b: Snapshot): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.bytes.equals(b.bytes);
}

function sameLook(a: Look, b: Look): boolean {
  if (a.snapshot && b.snapshot) return sameSnapshot(a.snapshot, b.snapshot);
  return a.error !== undefined && a.error === b.error;
}
