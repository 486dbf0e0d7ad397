import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { LOGGER, type Logger } from '@service-replicator/runtime';

/**
 * Says when config-watcher should look again: a watched config object changed, a config file
 * changed. Editors replace files rather than write them in place, so folders are watched, not
 * files; but only a change to a file we read (or to the folder as a whole) counts: logs or other
 * files that keep changing beside a config must not make it read every config again on each
 * write. What listens (the service's checks) and what notifies (informers, file watches, the tenant
 * sources) need not know each other.
 */
@Injectable()
export class ConfigChanges implements OnApplicationShutdown {
  private readonly listeners: ((reason: string) => void)[] = [];
  private readonly folders = new Map<string, { readonly watcher: FSWatcher; readonly names: Set<string> }>();

  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  onChange(listener: (reason: string) => void): void {
    this.listeners.push(listener);
  }

  notify(reason: string): void {
    for (const listener of this.listeners) listener(reason);
  }

  /** Looks again whenever `file` is written, replaced, removed or created. */
  watchFile(file: string): void {
    const folder = dirname(file);
    const watched = this.folders.get(folder);
    if (watched) {
      watched.names.add(basename(file));
      return;
    }
    const names = new Set([basename(file)]);
    try {
      const watcher = watch(folder, (_event, name) => {
        if (concerns(name, names)) this.notify('file changed');
      });
      this.folders.set(folder, { watcher, names });
    } catch (error) {
      this.logger.warn({ folder, err: error }, 'cannot watch folder; relying on polling');
    }
  }

  onApplicationShutdown(): void {
    this.folders.forEach(({ watcher }) => watcher.close());
    this.folders.clear();
  }
}

/**
 * Whether a change in a watched folder may be a change to one of `names`: the platform did not say
 * which file, it is one of them, or it is the `..data` link through which Kubernetes swaps a
 * mounted ConfigMap's or Secret's files all at once (the files themselves are symlinks and see no
 * event of their own).
 */
export function concerns(name: string | Buffer | null, names: ReadonlySet<string>): boolean {
  if (name === null) return true;
  const text = name.toString();
  return names.has(text) || text.startsWith('..');
}
