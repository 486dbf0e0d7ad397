import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ClusterClient } from '@service-replicator/kube';
import { errorMessage } from '@service-replicator/redaction';
import { resolveTenantPaths, type HostKeyRef, type TenantSpec } from '@service-replicator/replication-config';

/** The text of a source, or why it could not be read (reported like a config error). */
export type SourceText = { readonly text: string } | { readonly error: string };

/** Reads tenants' vcluster.yaml from files (relative to the tenants file) or host ConfigMaps/Secrets. */
export class ConfigSources {
  constructor(private readonly tenantsFile: string, private readonly host: ClusterClient) {}

  readTenantsFile(): Promise<SourceText> {
    return readText(this.tenantsFile);
  }

  resolvePaths(tenant: TenantSpec): TenantSpec {
    return resolveTenantPaths(tenant, dirname(this.tenantsFile));
  }

  async readTenantConfig(tenant: TenantSpec): Promise<SourceText> {
    const source = tenant.config;
    if ('file' in source) return readText(source.file);
    if ('configMap' in source) return this.readKey('ConfigMap', source.configMap);
    return this.readKey('Secret', source.secret);
  }

  private async readKey(kind: 'ConfigMap' | 'Secret', ref: HostKeyRef): Promise<SourceText> {
    const where = `${kind} ${ref.namespace}/${ref.name} key "${ref.key}"`;
    try {
      const { core } = this.host;
      if (kind === 'ConfigMap') {
        const configMap = await core.readNamespacedConfigMap({ namespace: ref.namespace, name: ref.name });
        const text = configMap.data?.[ref.key];
        return text === undefined ? { error: `${where}: no such key` } : { text };
      }
      const secret = await core.readNamespacedSecret({ namespace: ref.namespace, name: ref.name });
      const data = secret.data?.[ref.key];
      return data === undefined ? { error: `${where}: no such key` } : { text: Buffer.from(data, 'base64').toString('utf8') };
    } catch (error) {
      return { error: `${where}: ${(error as { code?: number }).code === 404 ? 'not found' : errorMessage(error)}` };
    }
  }
}

const SETTLE_MS = 50;
const SETTLE_ATTEMPTS = 10;

/**
 * A file written in place is briefly empty or half-written, and an empty vcluster.yaml is a valid
 * config with no mappings: read mid-write, it would delete every fromHost mirror. So a file is
 * only taken once two reads SETTLE_MS apart agree.
 */
async function readText(path: string): Promise<SourceText> {
  try {
    let text = await readFile(path, 'utf8');
    for (let attempt = 0; attempt < SETTLE_ATTEMPTS; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      const again = await readFile(path, 'utf8');
      if (again === text) return { text };
      text = again;
    }
    return { error: `${path} kept changing while being read; trying again later` };
  } catch (error) {
    return { error: `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}` };
  }
}
