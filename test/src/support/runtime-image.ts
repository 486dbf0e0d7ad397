import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManagedProcess, repoRoot, runProcess, waitUntilReady } from '@service-replicator/control-plane-harness';

/**
 * The runtime image's /app without Docker: deploy/docker/stage-runtime.sh (the script the
 * Dockerfile's build stage runs) laid out from this checkout's build into a temporary folder.
 */
export class RuntimeTree {
  /** Each start writes a log of its own, so a second start of an app waits for its own ready line. */
  private readonly logFiles = new Map<string, string>();
  private starts = 0;

  private constructor(readonly dir: string) {}

  static async stage(): Promise<RuntimeTree> {
    const dir = await mkdtemp(join(tmpdir(), 'sr-runtime-'));
    const staged = await runProcess('bash', [join(repoRoot, 'deploy/docker/stage-runtime.sh'), join(dir, 'app')], { timeoutMs: 300_000 });
    if (staged.code !== 0) throw new Error(`stage-runtime.sh exited ${staged.code}:\n${staged.stderr}`);
    return new RuntimeTree(dir);
  }

  get app(): string {
    return join(this.dir, 'app');
  }

  /**
   * Runs `entrypoint.sh <app>` as the image would, with the image's environment, until the app
   * logs that it is ready: every module it loads at start resolves from the staged tree alone.
   */
  async start(app: string, env: Record<string, string>): Promise<ManagedProcess> {
    const logFile = join(this.dir, `${app}.${++this.starts}.log`);
    this.logFiles.set(app, logFile);
    const kubeconfig = join(this.dir, 'host.kubeconfig');
    const tenantsFile = join(this.dir, 'tenants.yaml');
    await writeFile(kubeconfig, UNREACHABLE_CLUSTER);
    await writeFile(tenantsFile, 'tenants: []\n');
    const proc = new ManagedProcess(app, 'sh', [join(this.app, 'entrypoint.sh'), app], {
      logFile,
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'production',
        HOST_KUBECONFIG: kubeconfig,
        TENANTS_FILE: tenantsFile,
        HTTP_PORT: '0',
        HTTP_HOST: '127.0.0.1',
        ...env,
      },
    });
    await waitUntilReady(proc, async () => (await this.log(app)).includes(`"msg":"${app} ready"`), 60_000);
    return proc;
  }

  /** The log of the app's latest start. */
  log(app: string): Promise<string> {
    const logFile = this.logFiles.get(app);
    return logFile ? readFile(logFile, 'utf8').catch(() => '') : Promise.resolve('');
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Enough for an app to start: nothing is asked of a cluster until there is a mapping. */
const UNREACHABLE_CLUSTER = `apiVersion: v1
kind: Config
clusters: [{ name: none, cluster: { server: "https://127.0.0.1:1" } }]
users: [{ name: none, user: { token: none } }]
contexts: [{ name: none, context: { cluster: none, user: none } }]
current-context: none
`;
