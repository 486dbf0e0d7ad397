import { parseArgs } from 'node:util';
import { formatRef } from '@service-replicator/references';
import { networkPolicyWarnings, type TenantSpec } from '@service-replicator/replication-config';
import { EXIT_NOT_OK, EXIT_OK, UsageError, type Command, type CommandIo } from './command';
import { findTenant, loadTenantConfig, loadTenants, locatedIssue, looksLikeTenantsFile, readFileText, tenantsFileSetting } from './tenant-config-file';

const USAGE = `usage: node tools/cli/dist/main.js validate FILE [--tenants TENANTS_FILE --tenant NAME]
                                             [--host-namespace NS] [--allowed NS,NS] [--from-host NS,NS]

FILE is a tenants file (then every tenant's vcluster.yaml file it names is checked too) or one
tenant's vcluster.yaml. A vcluster.yaml is read as config-watcher reads it for a tenant: the one
named by --tenant in --tenants (or TENANTS_FILE), else a stand-in tenant whose host namespace is
--host-namespace (default "default"), who may also write into --allowed and read host Services
in --from-host (its fromHostNamespaces).

Prints every error as FILE:LINE: path: message, or the resolved mappings when it is valid.
exit code: 0 valid, 1 invalid, 2 cannot run (bad arguments, unreadable file).`;

export const validateCommand: Command = {
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parse(args);
    const [file] = positionals;
    if (!file || positionals.length > 1) throw new UsageError('give exactly one FILE');
    const text = await readFileText(file);
    if (looksLikeTenantsFile(text)) return validateTenantsFile(file, io);
    const tenant = values.tenant
      ? await findTenant(values.tenants ?? tenantsFileSetting(), values.tenant)
      : standIn(values['host-namespace'], values.allowed, values['from-host']);
    return validateTenantConfig(file, tenant, io);
  },
};

function parse(args: readonly string[]) {
  try {
    return parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        tenants: { type: 'string' },
        tenant: { type: 'string' },
        'host-namespace': { type: 'string' },
        allowed: { type: 'string' },
        'from-host': { type: 'string' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function standIn(hostNamespace = 'default', allowed = '', fromHost = ''): TenantSpec {
  return {
    name: 'tenant',
    hostNamespace,
    kubeconfig: { file: '' },
    allowedHostNamespaces: allowed.split(',').filter(Boolean),
    fromHostNamespaces: fromHost.split(',').filter(Boolean),
    config: { file: '' },
    toHostMode: 'selector',
  };
}

async function validateTenantsFile(file: string, io: CommandIo): Promise<number> {
  const { tenants, issues } = await loadTenants(file);
  if (!tenants) return report(issues, io);
  const all = [...issues];
  for (const tenant of tenants) {
    if (!('file' in tenant.config)) {
      io.stdout.write(`tenant ${tenant.name}: config is in the host cluster (${Object.keys(tenant.config)[0]}); not checked here\n`);
      continue;
    }
    const result = await loadTenantConfig(tenant.config.file, tenant).catch((error: Error) => ({ issues: [error.message], config: undefined }));
    all.push(...result.issues);
    if (result.config) io.stdout.write(`tenant ${tenant.name}: ${result.config.mappings.length} mapping(s) valid\n`);
  }
  return all.length > 0 ? report(all, io) : ok(io, `${file}: ${tenants.length} tenant(s) valid`);
}

async function validateTenantConfig(file: string, tenant: TenantSpec, io: CommandIo): Promise<number> {
  const { config, issues } = await loadTenantConfig(file, tenant);
  if (!config) return report(issues, io);
  for (const m of config.mappings) io.stdout.write(`${m.direction.padEnd(8)} ${formatRef(m.source)} -> ${formatRef(m.target)}\n`);
  for (const warning of networkPolicyWarnings(config.networkPolicy, config.mappings, tenant)) {
    io.stdout.write(`${locatedIssue(file, warning)} (warning)\n`);
  }
  return ok(io, `${file}: valid for tenant ${tenant.name} (host namespace ${tenant.hostNamespace})`);
}

function report(issues: readonly string[], io: CommandIo): number {
  io.stderr.write(`${issues.join('\n')}\n${issues.length} error(s)\n`);
  return EXIT_NOT_OK;
}

function ok(io: CommandIo, message: string): number {
  io.stdout.write(`${message}\n`);
  return EXIT_OK;
}
