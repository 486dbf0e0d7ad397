/** Clusters and Redis the user already runs: the sandbox then only starts the four apps. */
export interface GivenDeployment {
  readonly hostKubeconfig: string;
  readonly tenantsFile: string;
  readonly redisUrl: string;
}

export interface SandboxSettings {
  /** Undefined: start a local host, a cluster per sample tenant and Redis. */
  readonly given?: GivenDeployment;
  /** Redis key prefix of the apps (QUEUE_PREFIX); the apps' own default when unset. */
  readonly prefix: string;
  /** Exit 0 once every published mapping is in-sync, 1 when that takes longer than the timeout. */
  readonly exitWhenSynced: boolean;
  readonly syncTimeoutMs: number;
  /** Redraw one screen in place; otherwise print the table whenever it changes. */
  readonly redraw: boolean;
}

export const USAGE = `usage: node tools/sandbox/dist/main.js [--exit-when-synced [--timeout=SECONDS]] [--no-tty]

Without HOST_KUBECONFIG it starts a local host and tenant API server and Redis, writes the sample
deployment (deploy/sample) and replicates it; with HOST_KUBECONFIG, TENANTS_FILE and REDIS_URL
it runs the four apps against those. Either way it shows every mapping's replication state.

  --exit-when-synced  exit 0 once every mapping is in-sync, 1 after the timeout (default 120)
  --no-tty            print the table whenever it changes instead of redrawing the screen
environment: HOST_KUBECONFIG, TENANTS_FILE, REDIS_URL, QUEUE_PREFIX (default sr); every other
variable (LOG_LEVEL, RESYNC_INTERVAL_SECONDS, ...) is passed on to the apps.`;

const GIVEN_VARIABLES = ['HOST_KUBECONFIG', 'TENANTS_FILE', 'REDIS_URL'] as const;
const DEFAULT_TIMEOUT_SECONDS = 120;

export class SandboxSettingsError extends Error {
  override readonly name = 'SandboxSettingsError';
}

/**
 * The sandbox's only reading of its command line and environment. Throws SandboxSettingsError
 * with the reason; `--help` is reported as `help`.
 */
export function loadSandboxSettings(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  stdoutIsTty: boolean,
): SandboxSettings | 'help' {
  const flags = parseFlags(argv);
  if (flags === 'help') return 'help';
  return {
    given: givenDeployment(env),
    // The apps' default, so a sandbox against given clusters reads what those apps write.
    prefix: env.QUEUE_PREFIX || 'sr',
    exitWhenSynced: flags.exitWhenSynced,
    syncTimeoutMs: flags.timeoutSeconds * 1_000,
    // Cursor movement in a pipe or a log file would only be noise.
    redraw: flags.tty && stdoutIsTty,
  };
}

function parseFlags(argv: readonly string[]): { exitWhenSynced: boolean; tty: boolean; timeoutSeconds: number } | 'help' {
  const flags = { exitWhenSynced: false, tty: true, timeoutSeconds: DEFAULT_TIMEOUT_SECONDS };
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') return 'help';
    if (arg === '--exit-when-synced') flags.exitWhenSynced = true;
    else if (arg === '--no-tty') flags.tty = false;
    else if (arg.startsWith('--timeout=')) flags.timeoutSeconds = positiveNumber(arg.slice('--timeout='.length), '--timeout');
    else throw new SandboxSettingsError(`unknown argument "${arg}"`);
  }
  return flags;
}

function positiveNumber(text: string, what: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new SandboxSettingsError(`${what} must be a positive number of seconds, got "${text}"`);
  return value;
}

/** All three or none: half a deployment would silently mix the sample with real clusters. */
function givenDeployment(env: Readonly<Record<string, string | undefined>>): GivenDeployment | undefined {
  const set = GIVEN_VARIABLES.filter((name) => env[name]);
  if (set.length === 0) return undefined;
  const missing = GIVEN_VARIABLES.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new SandboxSettingsError(`${set.join(', ')} set but ${missing.join(', ')} not: give all three to use your own clusters, or none for the local sandbox`);
  }
  return { hostKubeconfig: env.HOST_KUBECONFIG ?? '', tenantsFile: env.TENANTS_FILE ?? '', redisUrl: env.REDIS_URL ?? '' };
}
