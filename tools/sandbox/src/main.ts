import { APPS } from '@service-replicator/control-plane-harness';
import { startSession, type Session } from './sandbox-session';
import { loadSandboxSettings, SandboxSettingsError, USAGE, type SandboxSettings } from './sandbox-settings';
import { StopDuringStartup, StopRequest, type StopReason } from './stop-request';
import { Teardown } from './teardown';

const say = (line: string) => process.stdout.write(`${line}\n`);

/** `npm start`: see USAGE in sandbox-settings.ts. */
async function main(): Promise<number> {
  const settings = readSettings();
  if (typeof settings === 'number') return settings;
  const teardown = new Teardown();
  const stop = new StopRequest();
  listenForStopSignals(stop);
  const timeoutSeconds = settings.syncTimeoutMs / 1_000;
  const timeout = settings.exitWhenSynced
    ? setTimeout(() => stop.request(1, `not every mapping was in sync after ${timeoutSeconds} s`), settings.syncTimeoutMs)
    : undefined;
  let session: Session | undefined;
  let reason: StopReason;
  try {
    session = await startSession(settings, teardown, stop, say);
    session.view.start((snapshot) => {
      if (settings.exitWhenSynced && snapshot.synced) stop.request(0, `every mapping is in sync (${snapshot.configured})`);
    });
    reason = await stop.requested;
  } catch (error) {
    reason = error instanceof StopDuringStartup ? await stop.requested : { exitCode: 1, message: `start-up failed: ${errorText(error)}` };
  }
  clearTimeout(timeout);
  return finish(reason, session, teardown);
}

/** A number is the exit code when there is nothing to run (help, or a usage error). */
function readSettings(): SandboxSettings | number {
  try {
    const settings = loadSandboxSettings(process.argv.slice(2), process.env, process.stdout.isTTY === true);
    if (settings !== 'help') return settings;
    say(USAGE);
    return 0;
  } catch (error) {
    if (!(error instanceof SandboxSettingsError)) throw error;
    process.stderr.write(`sandbox: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }
}

/**
 * The first Ctrl-C stops everything in order; a second one exits at once, and the harness's
 * 'exit' hook then kills the process groups of every server it started, so nothing outlives it.
 * The harness may also listen for these signals (to SIGKILL its servers and die at once, right
 * for a test run); the sandbox takes them over, so that its folders are removed too.
 */
function listenForStopSignals(stop: StopRequest): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => {
      if (stop.isRequested) process.exit(130);
      stop.request(0, `stopped (${signal})`);
    });
  }
}

async function finish(reason: StopReason, session: Session | undefined, teardown: Teardown): Promise<number> {
  // The logs live in the sandbox's temporary folder, which the teardown removes.
  if (reason.exitCode !== 0 && session) await printLogTails(session);
  session?.view.stop();
  say(`${reason.message}; stopping everything the sandbox started...`);
  const failures = await teardown.run();
  for (const failure of failures) process.stderr.write(`sandbox: ${failure}\n`);
  say(failures.length === 0 ? 'stopped.' : 'stopped, with the errors above.');
  return reason.exitCode !== 0 ? reason.exitCode : failures.length > 0 ? 1 : 0;
}

async function printLogTails(session: Session): Promise<void> {
  for (const app of APPS) {
    const proc = session.apps.process(app);
    if (proc) say(`--- last lines of ${proc.logFile}\n${await proc.tail(15)}`);
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

main().then(
  (code) => {
    process.exitCode = code;
    // Everything was stopped; a stray handle must not keep a finished sandbox alive.
    setTimeout(() => process.exit(code), 2_000).unref();
  },
  (error: unknown) => {
    process.stderr.write(`sandbox: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
