import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatRef } from '@service-replicator/references';
import { APPS, ReplicatorProcesses } from '@service-replicator/control-plane-harness';
import { MappingStore, redisConnection, StatusStore, type RedisClient } from '@service-replicator/replication-queue';
import { StatusReader } from '@service-replicator/status-view';
import { LiveView } from './live-view';
import { startSampleDeployment, type SampleDeployment } from './sample-deployment';
import { changePort, type SeededService } from './sample-objects';
import type { GivenDeployment, SandboxSettings } from './sandbox-settings';
import { readStatusSnapshot } from './status-snapshot';
import type { StopRequest } from './stop-request';
import type { Teardown } from './teardown';

const PORT_CHANGE_MS = 10_000;
/** Short, so an edit of the sandbox's vcluster.yaml shows in the table at once. */
const SANDBOX_APP_ENV = { CONFIG_POLL_MS: '500' };


/** What runs once start-up is over; everything in it is also in the teardown. */
export interface Session {
  readonly apps: ReplicatorProcesses;
  readonly view: LiveView;
}

type Say = (line: string) => void;

/**
 * Starts the sample deployment (or takes the given one), the four apps and the live table.
 * Each step registers what it started in `teardown` and start-up ends early once `stop` is
 * requested, so Ctrl-C at any moment stops everything started so far.
 */
export async function startSession(settings: SandboxSettings, teardown: Teardown, stop: StopRequest, say: Say): Promise<Session> {
  let sample: SampleDeployment | undefined;
  if (!settings.given) say('starting a host and a tenant API server (etcd, kube-apiserver, kube-controller-manager) and Redis...');
  const deployment = settings.given ?? (sample = await startSampleDeployment(teardown));
  stop.throwIfRequested();
  const logDir = sample?.dir ?? (await appLogDir(teardown));
  say(`starting ${APPS.join(', ')}...`);
  const { hostKubeconfig, tenantsFile, redisUrl } = deployment;
  const env = sample ? SANDBOX_APP_ENV : {};
  const apps = await ReplicatorProcesses.start({ hostKubeconfig, tenantsFile, redisUrl, prefix: settings.prefix, logDir, env });
  teardown.add('the four apps', () => apps.stop());
  stop.throwIfRequested();
  const redis = await readerConnection(redisUrl);
  teardown.add('the status reader', () => redis.quit().then(() => undefined));
  const reader = new StatusReader(new MappingStore(redis, settings.prefix), new StatusStore(redis, settings.prefix));
  const header = [...(sample ? sampleHeader(sample) : givenHeader(deployment, settings.prefix)), ...(await pageLines(apps)), ...logLines(apps)];
  const view = new LiveView({ redraw: settings.redraw, header, read: () => readStatusSnapshot(reader), out: process.stdout });
  if (sample) startPortChanges(sample.seeded, view, teardown);
  return { apps, view };
}

async function appLogDir(teardown: Teardown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sr-sandbox-logs-'));
  teardown.add(`folder ${dir}`, () => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Fail-fast like the apps' own producers; waits for the first connect so the first read succeeds. */
async function readerConnection(url: string): Promise<RedisClient> {
  const redis = redisConnection(url, 'producer', 'sandbox');
  // A failed first connect is not fatal: the table shows the error and ioredis keeps retrying.
  redis.on('error', () => undefined);
  if (redis.status === 'ready') return redis;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 5_000);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return redis;
}

/** Flips the sample Services' ports now and then, so the user sees a change flow through. */
function startPortChanges(seeded: readonly SeededService[], view: LiveView, teardown: Teardown): void {
  const timer = setInterval(() => {
    for (const service of seeded) {
      const what = `${service.cluster.name} Service ${formatRef(service.ref)}`;
      changePort(service).then(
        ({ from, to }) => view.note(`changed the port of ${what}: ${from} -> ${to}`),
        (error: unknown) => view.note(`could not change the port of ${what}: ${String(error)}`),
      );
    }
  }, PORT_CHANGE_MS);
  teardown.add('the port changes', async () => clearInterval(timer));
}

function sampleHeader(sample: SampleDeployment): string[] {
  const names = sample.seeded.map((service) => `${service.cluster.name} ${formatRef(service.ref)}`).join(', ');
  return [
    'service-replicator sandbox: the four apps replicating deploy/sample between local API servers. Ctrl-C stops everything.',
    `  host      kubectl --kubeconfig ${sample.hostKubeconfig} get svc -A`,
    ...sample.tenants.map((tenant) => `  ${tenant.name.padEnd(9)} kubectl --kubeconfig ${tenant.kubeconfig} get svc -A`),
    ...sample.tenants.flatMap((tenant) => (tenant.configFile ? [`  config    ${tenant.configFile} (edits apply live)`] : [])),
    `  every ${PORT_CHANGE_MS / 1_000} s the sandbox flips the port of ${names} (80 <-> 8080)`,
  ];
}

function givenHeader(given: GivenDeployment, prefix: string): string[] {
  return [
    'service-replicator sandbox: the four apps against your clusters. Ctrl-C stops them.',
    `  host      kubectl --kubeconfig ${given.hostKubeconfig} get svc -A`,
    `  tenants   ${given.tenantsFile}`,
    `  redis     ${withoutPassword(given.redisUrl)} (key prefix ${prefix})`,
  ];
}

/** config-watcher serves the status page and the queue's Bull Board. */
async function pageLines(apps: ReplicatorProcesses): Promise<string[]> {
  const address = await apps.httpAddress('config-watcher');
  return [`  status    ${address}/status   (queue: ${address}/queues)`];
}

function logLines(apps: ReplicatorProcesses): string[] {
  return APPS.map((app) => `  log       ${app.padEnd(15)} ${join(apps.logDir, `${app}.log`)}`);
}

/** The URL is shown on screen; a password in it should not be. */
function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}
