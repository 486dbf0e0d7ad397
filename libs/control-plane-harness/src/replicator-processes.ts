import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './binaries';
import { ManagedProcess, waitUntilReady } from './managed-process';

export const APPS = ['config-watcher', 'host-watcher', 'tenant-watcher', 'writer'] as const;
export type AppName = (typeof APPS)[number];

export interface ReplicatorOptions {
  readonly hostKubeconfig: string;
  readonly tenantsFile: string;
  readonly redisUrl: string;
  /** Redis key prefix; one per test file keeps runs apart. */
  readonly prefix: string;
  /** More environment for every app (e.g. RESYNC_INTERVAL_SECONDS, OTEL_*). */
  readonly env?: Readonly<Record<string, string>>;
  readonly logDir?: string;
}

/** The four apps as separate processes, started from their real entry points (apps/<name>/dist/main.js). */
export class ReplicatorProcesses {
  private readonly running = new Map<AppName, ManagedProcess>();
  private readonly replicas: ManagedProcess[] = [];
  /** Each start of an app writes its own log file, so a restart's "ready" is its own. */
  private readonly logFiles = new Map<AppName | `${AppName}-replica`, string[]>();

  private constructor(private readonly options: ReplicatorOptions, readonly logDir: string) {}

  static async start(options: ReplicatorOptions, apps: readonly AppName[] = APPS): Promise<ReplicatorProcesses> {
    const logDir = options.logDir ?? (await mkdtemp(join(tmpdir(), 'sr-apps-')));
    const replicator = new ReplicatorProcesses(options, logDir);
    try {
      await Promise.all(apps.map((app) => replicator.startApp(app)));
    } catch (error) {
      await replicator.stop();
      throw error;
    }
    return replicator;
  }

  /** Starts one app and waits for its "ready" log line. */
  async startApp(app: AppName): Promise<ManagedProcess> {
    const proc = await this.launch(app, this.nextLogFile(app, app));
    this.running.set(app, proc);
    return proc;
  }

  /**
   * Starts one more instance of an app beside the one `startApp` runs (e.g. a second writer, as a
   * platform scales writers), with a log file of its own; `stop()` stops it too.
   */
  async startReplica(app: AppName): Promise<ManagedProcess> {
    const proc = await this.launch(app, this.nextLogFile(`${app}-replica`, `${app}-replica`));
    this.replicas.push(proc);
    return proc;
  }

  /** The process ids of every running instance of an app (for CPU accounting). */
  pids(app: AppName): number[] {
    const all = [this.running.get(app), ...this.replicas.filter((proc) => proc.name === app)];
    return all.flatMap((proc) => (proc && !proc.hasExited && proc.pid !== undefined ? [proc.pid] : []));
  }

  private nextLogFile(key: AppName | `${AppName}-replica`, base: string): string {
    const files = this.logFiles.get(key) ?? [];
    const logFile = join(this.logDir, files.length === 0 ? `${base}.log` : `${base}.${files.length + 1}.log`);
    this.logFiles.set(key, [...files, logFile]);
    return logFile;
  }

  private async launch(app: AppName, logFile: string): Promise<ManagedProcess> {
    const proc = new ManagedProcess(app, process.execPath, ['--enable-source-maps', join(repoRoot, 'apps', app, 'dist', 'main.js')], {
      logFile,
      env: {
        ...process.env,
        HOST_KUBECONFIG: this.options.hostKubeconfig,
        TENANTS_FILE: this.options.tenantsFile,
        REDIS_URL: this.options.redisUrl,
        QUEUE_PREFIX: this.options.prefix,
        HTTP_PORT: '0',
        HTTP_HOST: '127.0.0.1',
        ...this.options.env,
      },
    });
    const marker = `"msg":"${app} ready"`;
    await waitUntilReady(proc, async () => (await readFile(logFile, 'utf8').catch(() => '')).includes(marker), 60_000);
    return proc;
  }

  /** The app's HTTP address (health, and metrics unless OPERATOR_HTTP_PORT is set), from its "ready" line. */
  async httpAddress(app: AppName): Promise<string> {
    const match = /"http":"(http:[^"]+)","msg":"[a-z-]+ ready"/.exec(await this.readyLine(app));
    if (!match) throw new Error(`${app} has not logged its HTTP address`);
    return match[1];
  }

  /** The operator listener's address (status page, Bull Board, metrics), when OPERATOR_HTTP_PORT is set. */
  async operatorAddress(app: AppName): Promise<string> {
    const match = /"operator":"(http:[^"]+)"/.exec(await this.readyLine(app));
    if (!match) throw new Error(`${app} has not logged an operator address (is OPERATOR_HTTP_PORT set?)`);
    return match[1];
  }

  private async readyLine(app: AppName): Promise<string> {
    return (await this.log(app)).split('\n').filter((l) => l.includes(' ready"')).at(-1) ?? '';
  }

  process(app: AppName): ManagedProcess | undefined {
    return this.running.get(app);
  }

  /** SIGKILL: the app gets no chance to finish or hand back its work. */
  async kill(app: AppName): Promise<void> {
    const proc = this.running.get(app);
    proc?.killGroup('SIGKILL');
    await proc?.stop(0);
    this.running.delete(app);
  }

  /** Everything the app logged, over all its starts and replicas. */
  async log(app: AppName): Promise<string> {
    const files = [...(this.logFiles.get(app) ?? []), ...(this.logFiles.get(`${app}-replica`) ?? [])];
    const texts = await Promise.all(files.map((file) => readFile(file, 'utf8').catch(() => '')));
    return texts.join('');
  }

  async stop(): Promise<void> {
    await Promise.all([...this.running.values(), ...this.replicas].map((proc) => proc.stop()));
    this.running.clear();
    this.replicas.length = 0;
  }
}
