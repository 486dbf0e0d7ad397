import { resolve } from 'node:path';
import type { TenantSpec } from './model';

/**
 * File paths in a tenants file are relative to that file. They are made absolute before a spec is
 * published or used, because the writer, the watchers and the CLI run from other folders.
 */
export function resolveTenantPaths(tenant: TenantSpec, tenantsFileFolder: string): TenantSpec {
  const kubeconfig = 'file' in tenant.kubeconfig ? { file: resolve(tenantsFileFolder, tenant.kubeconfig.file) } : tenant.kubeconfig;
  const config = 'file' in tenant.config ? { file: resolve(tenantsFileFolder, tenant.config.file) } : tenant.config;
  return { ...tenant, kubeconfig, config };
}
