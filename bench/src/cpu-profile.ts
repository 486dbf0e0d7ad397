/**
 * A preload (`node --require bench/dist/cpu-profile.js`) that records a CPU profile of the whole
 * process and writes it, when the process exits, to `$CPU_PROFILE_DIR/<script>-<pid>.cpuprofile`
 * (open it in Chrome's DevTools, or summarise it with bench/dist/profile-summary.js). Node 20 does
 * not take --cpu-prof from NODE_OPTIONS; the inspector's in-process session does the same.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { basename, dirname, join } from 'node:path';

const dir = process.env.CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  // 1 ms between samples: the default (~1 ms on Linux) made explicit, cheap enough for minutes.
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  // The apps exit through their shutdown hooks; the in-process session answers synchronously.
  process.on('exit', () => {
    session.post('Profiler.stop', (error, result) => {
      if (error) return;
      const script = basename(dirname(dirname(process.argv[1] ?? 'node')));
      writeFileSync(join(dir, `${script}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
