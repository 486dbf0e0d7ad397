/**
 * The reaper (see process-reaper.ts): reads `<pgid>` / `-<pgid>` lines (a process group started,
 * one that ended) on stdin, and when stdin closes, because the process that started it is gone,
 * however it ended, kills every group still listed. Run as its own process; imports nothing.
 */
const groups = new Set<number>();
let pending = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  pending += chunk;
  for (let end = pending.indexOf('\n'); end >= 0; end = pending.indexOf('\n')) {
    const group = Number(pending.slice(0, end));
    pending = pending.slice(end + 1);
    if (group > 0) groups.add(group);
    else if (group < 0) groups.delete(-group);
  }
});
process.stdin.on('end', () => {
  for (const group of groups) {
    try {
      process.kill(-group, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  process.exit(0);
});
