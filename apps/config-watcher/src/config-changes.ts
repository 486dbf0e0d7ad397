import { watch, type FSWatcher } from 'node:fs';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { LOGGER, type Logger } from '@service-replicator/runtime';

/**
 * Says when config-watcher should look again: a watched config object changed, a file in a watched
 * folder changed. Editors replace files rather than write them in place, so folders are watched,
 * not files. What listens (the service's checks) and what notifies (informers, file watches, the
 * tenant sources) need not know each other.
 */
@Injectable()
export class ConfigChanges implements OnApplicationShutdown {
  private readonly listeners: ((reason: string) => void)[] = [];
  private readonly folders = new Map<string, FSWatcher>();

  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  onChange(listener: (reason: string) => void): void {
    this.listeners.push(listener);
  }

  notify(reason: string): void {
    for (const listener of this.listeners) listener(reason);
  }

  watchFolder(folder: string): void {
    if (this.folders.has(folder)) return;
    try {
      this.folders.set(folder, watch(folder, () => this.notify('file changed')));
    } catch (error) {
      this.logger.warn({ folder, err: error }, 'cannot watch folder; relying on polling');
    }
  }

  onApplicationShutdown(): void {
    this.folders.forEach((watcher) => watcher.close());
    this.folders.clear();
  }
}
