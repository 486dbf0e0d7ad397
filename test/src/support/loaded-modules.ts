// Preloaded into a process (`node --require loaded-modules.js ...`): when it exits, writes the
// files it loaded through require (itself left out) to $LOADED_MODULES_FILE, as a JSON list.
import { writeFileSync } from 'node:fs';

const target = process.env.LOADED_MODULES_FILE;
if (target) {
  process.once('exit', () => writeFileSync(target, JSON.stringify(Object.keys(require.cache).filter((file) => file !== __filename))));
}
