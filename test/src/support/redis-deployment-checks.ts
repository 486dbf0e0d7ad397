import { APPS, type AppName } from '@service-replicator/control-plane-harness';
import type { ReplicationFixture } from './replication-fixture';
import { eventually } from './wait';

/**
 * What a user checks of a deployment on some Redis (TLS, Sentinel, Cluster): fromHost mappings of
 * tenant a from host namespace `shared`, replicated and followed, with the apps ready.
 */
export class RedisDeploymentChecks {
  constructor(private readonly fx: ReplicationFixture, private readonly waitMs = 60_000) {}

  async createSources(names: readonly string[]): Promise<void> {
    for (const name of names) {
      await this.fx.hostCore.createNamespacedService({ namespace: 'shared', body: { metadata: { name }, spec: { ports: [{ port: 80 }] } } });
    }
  }

  /**
   * What every Redis deployment must carry: `names[0]` published, announced to the watchers (the
   * Nest transport), replicated by a writer (BullMQ) and followed; then each further name added,
   * announced, replicated and followed; every app ready.
   */
  async replicatesAndFollows(names: readonly string[]): Promise<void> {
    for (const [index, name] of names.entries()) {
      await this.configure(names.slice(0, index + 1));
      await this.announcedToHostWatcher(await this.publishedWith(index + 1));
      await this.inSync(name);
      await this.setSourcePort(name, 8080 + index);
      await this.mirrorServes(name, 8080 + index);
    }
    await this.allReady();
  }

  /** Writes tenant a's vcluster.yaml with `shared/<name> -> default/<name>` for each name. */
  configure(names: readonly string[]): Promise<void> {
    return this.fx.configure('a', { fromHost: names.map((name) => ({ from: `shared/${name}`, to: `default/${name}` })) });
  }

  /** The writer reported the mirror in sync (its status record), and the mirror exists. */
  async inSync(name: string, waitMs = this.waitMs): Promise<void> {
    await eventually(async () => ((await this.fx.status(`a/fromHost/default/${name}`))?.state === 'in-sync' ? true : undefined), waitMs);
    await this.fx.tenant('a').core.readNamespacedService({ namespace: 'default', name });
  }

  async setSourcePort(name: string, port: number): Promise<void> {
    await this.fx.hostCore.patchNamespacedService({ namespace: 'shared', name, body: [{ op: 'replace', path: '/spec/ports/0/port', value: port }] });
  }

  /** Resolves once the tenant's mirror serves `port`; the time it took, in ms. */
  async mirrorServes(name: string, port: number, waitMs = this.waitMs): Promise<number> {
    const started = Date.now();
    await eventually(async () => {
      const service = await this.fx.tenant('a').core.readNamespacedService({ namespace: 'default', name });
      return service.spec?.ports?.[0]?.port === port ? true : undefined;
    }, waitMs);
    return Date.now() - started;
  }

  /** host-watcher's log says config-watcher's announcement of `version` reached it (the Nest transport). */
  async announcedToHostWatcher(version: number): Promise<void> {
    await eventually(async () => ((await this.fx.replicator.log('host-watcher')).includes(`announcement received: tenant a published version ${version}"`) ? true : undefined), this.waitMs);
  }

  /** The published version once it holds `count` mappings. */
  async publishedWith(count: number): Promise<number> {
    const record = await eventually(async () => {
      const published = await this.fx.published('a');
      return published?.mappings.length === count ? published : undefined;
    }, this.waitMs);
    return record.version;
  }

  /** Every app answers /health/ready with 200; resolves to how long that took, in ms. */
  async allReady(waitMs = this.waitMs): Promise<number> {
    const started = Date.now();
    const addresses = await Promise.all(APPS.map(async (app) => [app, await this.fx.replicator.httpAddress(app)] as const));
    for (const [app, address] of addresses) await eventually(async () => ((await readyStatus(address)) === 200 ? app : undefined), waitMs);
    return Date.now() - started;
  }

  /** Apps whose log has a line matching `pattern` (e.g. NOPERM, CROSSSLOT). */
  async appsLogging(pattern: RegExp): Promise<AppName[]> {
    const logs = await Promise.all(APPS.map(async (app) => [app, await this.fx.replicator.log(app)] as const));
    return logs.filter(([, log]) => pattern.test(log)).map(([app]) => app);
  }
}

async function readyStatus(address: string): Promise<number | undefined> {
  try {
    return (await fetch(`${address}/health/ready`)).status;
  } catch {
    return undefined;
  }
}
