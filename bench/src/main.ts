import { log } from './bench-log';
import { runLatencyBenchmark } from './replication-latency';
import { runScaleBenchmark } from './scale-benchmark';
import { runTenantsBenchmark } from './tenants-benchmark';

/** `npm run bench -- [--scale | --tenants] [options]`: one benchmark per run; `--help` describes each. */
const argv = process.argv.slice(2);
const without = (flag: string) => argv.filter((arg) => arg !== flag);
const run = argv.includes('--scale')
  ? runScaleBenchmark(without('--scale'))
  : argv.includes('--tenants')
    ? runTenantsBenchmark(without('--tenants'))
    : runLatencyBenchmark(argv);

// Exits explicitly: after a timeout the abandoned measurement may still hold timers or sockets.
run.then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(error instanceof Error ? error.message : String(error));
    process.exit(2);
  },
);
