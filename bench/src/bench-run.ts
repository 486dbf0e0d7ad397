import { log } from './bench-log';
import { abortSignals } from './run-info';

/**
 * The frame of a benchmark run: starts its environment, measures, prints the result as JSON and
 * reports it (the docs), within `timeoutMs` and stopped by SIGINT/SIGTERM, and always stops the
 * environment. Exit code 0, or 1 when anything failed.
 */
export async function runMeasured<E extends { stop(): Promise<void> }, R>(
  options: { readonly timeoutMs: number; readonly starting: string },
  start: () => Promise<E>,
  measure: (env: E) => Promise<R>,
  report: (result: R) => Promise<void>,
): Promise<number> {
  const aborted = abortSignals(options.timeoutMs);
  aborted.catch(() => undefined);
  let env: E | undefined;
  try {
    log(options.starting);
    env = await Promise.race([start(), aborted]);
    const running = env;
    const result = await Promise.race([measure(running), aborted]);
    process.stdout.write(`${JSON.stringify(result, (_, value: unknown) => (value instanceof Map ? Object.fromEntries(value) : value), 2)}\n`);
    await report(result);
    return 0;
  } catch (error) {
    log(`failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    return 1;
  } finally {
    log('stopping everything');
    await env?.stop();
  }
}
