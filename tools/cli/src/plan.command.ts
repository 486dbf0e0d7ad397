import { parseArgs } from 'node:util';
import { ClusterRegistry, loadKubeConfig } from '@service-replicator/kube';
import { planConfigChange, Reconciler, type PlannedKey } from '@service-replicator/reconciler';
import { ReplicatorRedis } from '@service-replicator/replication-queue/replicator-redis';
import { redisTargetOf } from '@service-replicator/runtime/redis-target';
import { loadSettings } from '@service-replicator/runtime/settings';
import { EXIT_CANNOT_RUN, EXIT_NOT_OK, EXIT_OK, UsageError, type Command } from './command';
import { findTenant, loadTenantConfig, tenantsFileSetting } from './tenant-config-file';

const USAGE = `usage: node tools/cli/dist/main.js plan FILE --tenant NAME [--tenants TENANTS_FILE] [--json]

A dry run of putting FILE (a vcluster.yaml) in force for tenant NAME: for every mapping it adds,
changes, keeps or removes (compared with the mappings config-watcher published), which Services
and EndpointSlices would be created, updated or deleted in which cluster, planned against live
state by the writer's own code. Writes nothing, in any cluster or in Redis.

environment: HOST_KUBECONFIG, REDIS_URL, QUEUE_PREFIX and TENANTS_FILE, as the apps read them.
exit code: 0 planned, 1 FILE is invalid, 2 cannot run (bad arguments, a cluster or Redis out of reach).`;

export const planCommand: Command = {
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parse(args);
    const [file] = positionals;
    if (!file || positionals.length > 1 || !values.tenant) throw new UsageError('give one FILE and --tenant NAME');
    const tenant = await findTenant(values.tenants ?? tenantsFileSetting(), values.tenant);
    const { config, issues } = await loadTenantConfig(file, tenant);
    if (!config) {
      io.stderr.write(`${issues.join('\n')}\n${file} is invalid; nothing to plan\n`);
      return EXIT_NOT_OK;
    }
    const settings = loadSettings();
    const redis = new ReplicatorRedis(redisTargetOf(settings), settings.QUEUE_PREFIX, 'cli-plan');
    redis.connection.on('error', () => undefined);
    try {
      await redis.ready(5_000);
      const current = (await redis.mappings.get(tenant.name))?.mappings ?? [];
      const reconciler = new Reconciler(new ClusterRegistry(loadKubeConfig({ file: settings.HOST_KUBECONFIG })), redis.mappings, redis.snapshots, redis.podAddresses);
      const planned = await planConfigChange(reconciler, tenant, current, config.mappings);
      io.stdout.write(values.json ? `${JSON.stringify(planned, null, 2)}\n` : render(tenant.name, file, planned));
      return EXIT_OK;
    } catch (error) {
      io.stderr.write(`plan: cannot read live state: ${(error as Error).message}\n`);
      return EXIT_CANNOT_RUN;
    } finally {
      await redis.close();
    }
  },
};

function parse(args: readonly string[]) {
  try {
    return parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { tenants: { type: 'string' }, tenant: { type: 'string' }, json: { type: 'boolean' } },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function render(tenant: string, file: string, planned: readonly PlannedKey[]): string {
  const writes = planned.reduce((sum, key) => sum + key.actions.length, 0);
  const lines = [`plan for tenant ${tenant} from ${file}, against live state (nothing was written):`, ''];
  for (const key of planned) {
    lines.push(`${key.change.padEnd(9)} ${(key.source ?? '(entry removed)').padEnd(34)} -> ${key.target}`);
    const what = key.actions.length > 0 ? key.actions.map((action) => `would ${action}`) : [key.state === 'conflict' ? `conflict: ${key.message}` : `no change: ${key.message}`];
    lines.push(...what.map((line) => `          ${line}`));
  }
  lines.push('', `${writes} write(s) for ${planned.length} mapping(s)`);
  return `${lines.join('\n')}\n`;
}
