import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import {
  formatIssue,
  parseTenantConfig,
  parseTenantsFile,
  resolveTenantPaths,
  type ConfigIssue,
  type TenantReplicationConfig,
  type TenantSpec,
} from '@service-replicator/replication-config';
import { loadSettings, SettingsError, tenantLimits } from '@service-replicator/runtime/settings';
import { UsageError } from './command';

/** `FILE:LINE: path: message`, the shape editors and terminals turn into links. */
export function locatedIssue(file: string, issue: ConfigIssue): string {
  const { line, ...rest } = issue;
  return `${file}${line === undefined ? '' : `:${line}`}: ${formatIssue(rest)}`;
}

export async function readFileText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

/** True when the file's top level has `tenants:` (a tenants file), false for a vcluster.yaml. */
export function looksLikeTenantsFile(text: string): boolean {
  try {
    const data: unknown = parse(text);
    return typeof data === 'object' && data !== null && 'tenants' in data;
  } catch {
    return false;
  }
}

/** The tenants of a tenants file, paths resolved; issues when it is invalid. */
export async function loadTenants(tenantsFile: string): Promise<{ tenants?: TenantSpec[]; issues: string[] }> {
  const { tenants, issues } = parseTenantsFile(await readFileText(tenantsFile));
  if (!tenants) return { issues: issues.map((issue) => locatedIssue(tenantsFile, issue)) };
  return { tenants: tenants.map((tenant) => resolveTenantPaths(tenant, dirname(resolve(tenantsFile)))), issues: [] };
}

export async function findTenant(tenantsFile: string | undefined, name: string): Promise<TenantSpec> {
  if (!tenantsFile) throw new UsageError('--tenant needs a tenants file: --tenants FILE or TENANTS_FILE');
  const { tenants, issues } = await loadTenants(tenantsFile);
  if (!tenants) throw new UsageError(`the tenants file is invalid:\n${issues.join('\n')}`);
  const tenant = tenants.find((candidate) => candidate.name === name);
  if (!tenant) throw new UsageError(`no tenant "${name}" in ${tenantsFile} (tenants: ${tenants.map((t) => t.name).join(', ') || 'none'})`);
  return tenant;
}

/** A vcluster.yaml read for one tenant: its mappings, or its issues located in the file. */
export async function loadTenantConfig(file: string, tenant: TenantSpec): Promise<{ config?: TenantReplicationConfig; issues: string[] }> {
  const { config, issues } = parseTenantConfig(await readFileText(file), tenant, tenantLimits(settingsOrUsageError()));
  return { config, issues: issues.map((issue) => locatedIssue(file, issue)) };
}

/** TENANTS_FILE, read through the apps' settings like every other variable. */
export function tenantsFileSetting(): string | undefined {
  return settingsOrUsageError().TENANTS_FILE;
}

/** The apps' settings (the per-tenant limits are config-watcher's), a bad one as a usage error. */
function settingsOrUsageError(): ReturnType<typeof loadSettings> {
  try {
    return loadSettings();
  } catch (error) {
    if (error instanceof SettingsError) throw new UsageError(error.message);
    throw error;
  }
}
