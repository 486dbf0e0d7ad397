import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The app a process runs, from the package.json nearest its entry point
 * (`@service-replicator/writer` -> `writer`): each app's traces carry its own service name without
 * a variable per app.
 */
export function appName(entry: string | undefined = require.main?.filename): string {
  for (let dir = entry ? dirname(entry) : ''; dir && dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const name = (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name;
    return name ? name.replace(/^@[^/]+\//, '') : 'service-replicator';
  }
  return 'service-replicator';
}
