import { parseArgs } from 'node:util';
import { ReplicatorRedis } from '@service-replicator/replication-queue/replicator-redis';
import { describeRedisTarget, redisTargetOf } from '@service-replicator/runtime/redis-target';
import { loadSettings, SettingsError } from '@service-replicator/runtime/settings';
import { pageOfReport, renderTable, StatusReader, type StatusReport } from '@service-replicator/status-view/report';
import { EXIT_CANNOT_RUN, EXIT_NOT_OK, EXIT_OK, UsageError, type Command, type CommandIo } from './command';

const USAGE = `usage: node tools/cli/dist/main.js status [--json] [--limit=ROWS] [--watch [--interval=SECONDS]]

Every mapping of every tenant with its direction, source, target, state (in-sync, pending,
conflict, error, kept), last sync time, last trace id and the writer's message; each tenant config
that config-watcher refused, with the path and line of each issue; and the reconcile queue.
Read from Redis, as config-watcher's /status page shows it.

  --json             the report as JSON (with --watch: one line per change)
  --limit=ROWS       show at most ROWS rows, problems first (error, conflict, pending, kept, in
                     sync); 0 shows all. Default: 200 for the table, all with --json
  --watch            show it again every --interval seconds (default 2) until Ctrl-C
  --interval=SECONDS how often --watch reads

exit code: 0 when every mapping is in-sync or kept and no config is refused, 1 otherwise (with
--watch: as of the last read), 2 when it cannot tell (bad arguments or environment, Redis out of
reach).
environment: REDIS_URL and QUEUE_PREFIX, as the apps read them.`;

const CONNECT_TIMEOUT_MS = 5_000;
const DEFAULT_INTERVAL_SECONDS = 2;

const DEFAULT_TABLE_ROWS = 200;

interface StatusOptions {
  readonly json: boolean;
  /** 0: every row. */
  readonly limit: number;
  readonly watch: boolean;
  readonly intervalMs: number;
}

export const statusCommand: Command = {
  usage: USAGE,
  async run(args, io) {
    const options = parseStatusArgs(args);
    const redis = connect(io);
    if (!redis) return EXIT_CANNOT_RUN;
    try {
      await redis.ready(CONNECT_TIMEOUT_MS);
      const reader = new StatusReader(redis.mappings, redis.statuses, redis.queue);
      return options.watch ? await watch(reader, options, io) : show(await reader.read(), options, io);
    } catch (error) {
      io.stderr.write(`status: cannot read the replication status from ${typeof redis.target === 'string' ? redis.target : describeRedisTarget(redis.target)}: ${errorText(error)}\n`);
      return EXIT_CANNOT_RUN;
    } finally {
      await redis.close();
    }
  },
};

function parseStatusArgs(args: readonly string[]): StatusOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: { json: { type: 'boolean' }, watch: { type: 'boolean' }, interval: { type: 'string' }, limit: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(errorText(error));
  }
  const seconds = values.interval === undefined ? DEFAULT_INTERVAL_SECONDS : Number(values.interval);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--interval must be a positive number of seconds, got "${values.interval}"`);
  if (values.interval !== undefined && !values.watch) throw new UsageError('--interval only applies with --watch');
  const json = values.json === true;
  const limit = values.limit === undefined ? (json ? 0 : DEFAULT_TABLE_ROWS) : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 0) throw new UsageError(`--limit must be a whole number of rows (0: all), got "${values.limit}"`);
  return { json, limit, watch: values.watch === true, intervalMs: seconds * 1_000 };
}

/** undefined (reported) when the environment is invalid: the apps would refuse it too. */
function connect(io: CommandIo): ReplicatorRedis | undefined {
  try {
    const settings = loadSettings();
    const redis = new ReplicatorRedis(redisTargetOf(settings), settings.QUEUE_PREFIX, 'cli');
    // Reported once, by the caller, instead of ioredis's and BullMQ's own lines on every retry.
    redis.connection.on('error', () => undefined);
    redis.queue.queue.on('error', () => undefined);
    return redis;
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    io.stderr.write(`status: ${error.message}\n`);
    return undefined;
  }
}

function show(report: StatusReport, options: StatusOptions, io: CommandIo): number {
  io.stdout.write(options.json ? `${JSON.stringify(limited(report, options), null, 2)}\n` : `${tableLines(report, options).join('\n')}\n`);
  return verdict(report);
}

/** The report cut to --limit rows (problems first), or whole. */
function limited(report: StatusReport, options: StatusOptions): StatusReport {
  return options.limit === 0 ? report : pageOfReport(report, 0, options.limit);
}

/** The table of at most --limit rows, and how many more there are. */
function tableLines(report: StatusReport, options: StatusOptions, width?: number): string[] {
  const shown = limited(report, options);
  const lines = renderTable(shown, { traceIds: true, width });
  const hidden = 'page' in shown ? (shown as ReturnType<typeof pageOfReport>).page.total - options.limit : 0;
  if (hidden > 0) lines.push('', `${hidden} more row(s) not shown, all less urgent than these (--limit=0 shows every row)`);
  return lines;
}

function verdict(report: StatusReport): number {
  return report.healthy ? EXIT_OK : EXIT_NOT_OK;
}

/**
 * Reads every interval until interrupted. On a terminal the screen is redrawn in place; into a
 * pipe or a file a report is written only when it changed, so the output reads as a history.
 */
async function watch(reader: StatusReader, options: StatusOptions, io: CommandIo): Promise<number> {
  const redraw = io.stdout.isTTY === true && !options.json;
  const interrupted = io.interrupted().then(() => true);
  let shown: string | undefined;
  let code: number;
  do {
    const report = await reader.read().catch((error: unknown) => errorText(error));
    code = typeof report === 'string' ? EXIT_CANNOT_RUN : verdict(report);
    const view = watchView(report, options, redraw ? io.stdout.columns : undefined);
    const time = new Date().toTimeString().slice(0, 8);
    if (redraw) io.stdout.write(`\x1b[H\x1b[2J${view.text}\n\nupdated ${time}, every ${options.intervalMs / 1_000} s; Ctrl-C stops\n`);
    else if (view.key !== shown) io.stdout.write(options.json ? `${view.text}\n` : `--- ${time}\n${view.text}\n`);
    shown = view.key;
  } while (!(await Promise.race([interrupted, sleep(options.intervalMs).then(() => false)])));
  return code;
}

/** What to show, and what tells a change: the report without its read time, which always changes. */
function watchView(report: StatusReport | string, options: StatusOptions, width: number | undefined): { text: string; key: string } {
  if (typeof report === 'string') {
    const text = options.json ? JSON.stringify({ error: report }) : `cannot read the replication status: ${report}`;
    return { text, key: text };
  }
  if (options.json) {
    const shown = limited(report, options);
    return { text: JSON.stringify(shown), key: JSON.stringify({ ...shown, generatedAt: undefined }) };
  }
  const text = tableLines(report, options, width).join('\n');
  return { text, key: text };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
