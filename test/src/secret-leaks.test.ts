import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import { after, before, it } from 'node:test';
import { stringify } from 'yaml';
import {
  APPS,
  freePort,
  OtlpReceiver,
  ReplicatorProcesses,
  startControlPlane,
  startRedis,
  type ControlPlane,
  type RedisServer,
} from '@service-replicator/control-plane-harness';
import { brokenKubeconfigs, leaksIn, plantSecrets, type PlantedSecrets } from './support/planted-secrets';
import { serverSuite } from './support/server-suite';
import { eventually } from './support/wait';

const PREFIX = 'e2e-secrets';
const BROKEN = ['yaml', 'wrong-key', 'bad-cert', 'unreachable'] as const;
/** A tenant whose kubeconfig is fine but whose vcluster.yaml, in a Secret, is not YAML. */
const CONFIG_IN_SECRET = 'config-secret';
const keyOf = (tenant: string) => `${tenant}/fromHost/default/db`;

/**
 * Every failure path that reads a Secret, with a token and a private key planted in the Secrets,
 * then every output scanned for them: each app's log, everything in Redis (status records, config
 * checks, BullMQ's jobs with their failure reasons and stacks), /status, /status.json, Bull Board's
 * API, the traces the apps exported, and /metrics.
 */
serverSuite('no secret in any output', () => {
  let dir: string;
  let host: ControlPlane;
  let tenant: ControlPlane;
  let redisServer: RedisServer;
  let redis: Redis;
  let receiver: OtlpReceiver;
  let apps: ReplicatorProcesses;
  let planted: PlantedSecrets;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sr-secrets-'));
    [host, tenant, redisServer, receiver, planted] = await Promise.all([
      startControlPlane({ name: 'host' }),
      startControlPlane({ name: 'tenant' }),
      startRedis(),
      OtlpReceiver.start(),
      plantSecrets(),
    ]);
    redis = new Redis(redisServer.url);
    const tenantsFile = await plantBrokenTenants(host, tenant, planted, dir);
    apps = await ReplicatorProcesses.start({
      hostKubeconfig: host.kubeconfigPath,
      tenantsFile,
      redisUrl: redisServer.url,
      prefix: PREFIX,
      env: { ...receiver.env, CONFIG_POLL_MS: '200', LOG_LEVEL: 'debug' },
      logDir: dir,
    });
  });
  after(async () => {
    redis?.disconnect();
    await apps?.stop();
    await Promise.all([host?.stop(), tenant?.stop(), redisServer?.stop(), receiver?.stop()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reports each failure, saying what is wrong and where', async () => {
    const statuses = await eventually(async () => {
      const found = await Promise.all(BROKEN.map(async (name) => JSON.parse((await redis.hget(`${PREFIX}:replicator:status`, keyOf(name))) ?? 'null')));
      return found.every((status) => status?.state === 'error') ? found : undefined;
    }, 90_000);
    const messages = Object.fromEntries(BROKEN.map((name, index) => [name, statuses[index].message as string]));
    assert.match(messages.yaml, /kubeconfig of tenant yaml \(Secret kubeconfigs\/yaml key "config"\) cannot be read: not valid YAML: .* at line \d+, column \d+/);
    assert.match(messages['wrong-key'], /Secret kubeconfigs\/wrong-key key "config" does not exist/);
    assert.match(messages['bad-cert'], /PEM|certificate|routines/i);
    assert.match(messages.unreachable, /ECONNREFUSED/);
    const check = await eventually(async () => {
      const raw = await redis.hget(`${PREFIX}:replicator:config-checks`, CONFIG_IN_SECRET);
      const parsed = raw ? JSON.parse(raw) : undefined;
      return parsed?.valid === false ? parsed : undefined;
    }, 60_000);
    assert.match(check.issues[0].message, /Flow sequence|Missing closing|must be sufficiently indented/);
  });

  it('shows neither the token nor the key in logs, Redis, /status, /status.json, Bull Board, traces or /metrics', async () => {
    // Positive signals that every path has run and been written out: failure reasons in the
    // queue, each tenant-watcher failure logged, and the writer's failed passes exported as spans.
    await eventually(async () => ((await failedReasons(redis)) > 0 ? true : undefined), 90_000);
    await eventually(async () => {
      const log = await apps.log('tenant-watcher');
      return BROKEN.every((name) => log.includes(`"tenant":"${name}"`)) ? true : undefined;
    }, 60_000);
    await eventually(() => (BROKEN.every((name) => receiver.spans().some((span) => span.name === 'reconcile' && span.attributes['replicator.key'] === keyOf(name))) ? true : undefined), 60_000);
    const board = `${await apps.httpAddress('config-watcher')}/queues/api/queues?activeQueue=reconcile&page=1&jobsPerPage=100&status=`;
    await eventually(async () => ((await (await fetch(`${board}delayed`)).text()).includes('"failedReason":"') ? true : undefined), 60_000);

    const outputs: Record<string, string> = {};
    for (const app of APPS) outputs[`${app} log`] = await apps.log(app);
    outputs.redis = await dumpRedis(redis);
    const status = await apps.httpAddress('config-watcher');
    outputs['/status'] = await (await fetch(`${status}/status?refresh=0`)).text();
    outputs['/status.json'] = await (await fetch(`${status}/status.json`)).text();
    for (const state of ['latest', 'failed', 'delayed', 'waiting', 'prioritized', 'active', 'completed']) {
      outputs[`Bull Board ${state}`] = await (await fetch(`${board}${state}`)).text();
    }
    outputs.traces = receiver.raw().join('\n');
    for (const app of APPS) outputs[`${app} /metrics`] = await (await fetch(`${await apps.httpAddress(app)}/metrics`)).text();

    assert.match(outputs.traces, /exception\.message/, 'the traces carry the failures');
    const leaks = Object.entries(outputs).flatMap(([where, text]) => leaksIn(text, planted).map((needle) => `${where}: ${needle}`));
    assert.deepEqual(leaks, []);
  });
});

/** The host Secrets and the tenants file: four tenants with broken kubeconfigs, one with a broken config. */
async function plantBrokenTenants(host: ControlPlane, tenant: ControlPlane, planted: PlantedSecrets, dir: string): Promise<string> {
  const core = host.kubeConfig.makeApiClient(CoreV1Api);
  for (const name of ['kubeconfigs', 'shared']) await core.createNamespace({ body: { metadata: { name } } });
  await core.createNamespacedService({ namespace: 'shared', body: { metadata: { name: 'db' }, spec: { ports: [{ port: 5432 }] } } });
  const cluster = tenant.kubeConfig.getCurrentCluster();
  const kubeconfigs = brokenKubeconfigs(planted, tenant.server, cluster?.caData ?? '', await freePort());
  for (const [name, { key, text }] of Object.entries(kubeconfigs)) {
    await core.createNamespacedSecret({ namespace: 'kubeconfigs', body: { metadata: { name }, stringData: { [key]: text } } });
  }
  const brokenConfig = `networking:\n  replicateServices:\n    fromHost: [\n  token: ${planted.token}\n  key: |\n${planted.key.replace(/^/gm, '    ')}`;
  await core.createNamespacedSecret({ namespace: 'kubeconfigs', body: { metadata: { name: CONFIG_IN_SECRET }, stringData: { config: tenant.kubeConfig.exportConfig(), 'vcluster.yaml': brokenConfig } } });
  const configFile = join(dir, 'vcluster.yaml');
  await writeFile(configFile, stringify({ networking: { replicateServices: { fromHost: [{ from: 'shared/db', to: 'default/db' }] } } }));
  const entry = (name: string) => ({
    name,
    hostNamespace: `vc-${name}`,
    fromHostNamespaces: ['shared'],
    kubeconfig: { secret: { namespace: 'kubeconfigs', name, key: 'config' } },
    config: name === CONFIG_IN_SECRET ? { secret: { namespace: 'kubeconfigs', name, key: 'vcluster.yaml' } } : { file: configFile },
  });
  const tenantsFile = join(dir, 'tenants.yaml');
  await writeFile(tenantsFile, stringify({ tenants: [...BROKEN, CONFIG_IN_SECRET].map(entry) }));
  return tenantsFile;
}

/** How many of the queue's jobs carry a failure reason (BullMQ keeps it, and the stack, on a job it retries). */
async function failedReasons(redis: Redis): Promise<number> {
  const keys = await redis.keys(`${PREFIX}:reconcile:*`);
  const reasons = await Promise.all(keys.map((key) => redis.type(key).then((type) => (type === 'hash' ? redis.hget(key, 'failedReason') : null))));
  return reasons.filter((reason) => reason).length;
}

/** Every key of every type, with its contents, as text. */
async function dumpRedis(redis: Redis): Promise<string> {
  const lines: string[] = [];
  for (const key of await redis.keys('*')) {
    const type = await redis.type(key);
    if (type === 'string') lines.push(key, String(await redis.get(key)));
    else if (type === 'hash') lines.push(key, JSON.stringify(await redis.hgetall(key)));
    else if (type === 'list') lines.push(key, JSON.stringify(await redis.lrange(key, 0, -1)));
    else if (type === 'set') lines.push(key, JSON.stringify(await redis.smembers(key)));
    else if (type === 'zset') lines.push(key, JSON.stringify(await redis.zrange(key, 0, -1)));
    else if (type === 'stream') lines.push(key, JSON.stringify(await redis.xrange(key, '-', '+')));
  }
  return lines.join('\n');
}
