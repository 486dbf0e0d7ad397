import { dirname } from 'node:path';
import type { ClusterClient } from '@service-replicator/kube';
import { errorMessage } from '@service-replicator/redaction';
import { decodeConfigBytes, resolveTenantPaths, type ConfigIssue, type HostKeyRef, type TenantSpec } from '@service-replicator/replication-config';
import { SettledFiles } from './settled-files';

/**
 * The text of a source; why it cannot be used (reported like a config error: the last good config
 * stays in force); or that a file is still being written (nothing to decide yet).
 */
export type SourceText = { readonly text: string } | { readonly issue: ConfigIssue } | { readonly unsettled: string };

/**
 * Reads the tenants file and tenants' vcluster.yaml: files (relative to the tenants file) once
 * settled, host ConfigMaps and Secrets (written whole by the API) as they are.
 */
export class ConfigSources {
  private readonly files: SettledFiles;

  constructor(private readonly tenantsFile: string, private readonly host: ClusterClient, settleMs: number) {
    this.files = new SettledFiles(settleMs);
  }

  readTenantsFile(): Promise<SourceText> {
    return this.readFile(this.tenantsFile);
  }

  resolvePaths(tenant: TenantSpec): TenantSpec {
    return resolveTenantPaths(tenant, dirname(this.tenantsFile));
  }

  async readTenantConfig(tenant: TenantSpec): Promise<SourceText> {
    const source = tenant.config;
    if ('file' in source) return this.readFile(source.file);
    if ('configMap' in source) return this.readKey('ConfigMap', source.configMap);
    return this.readKey('Secret', source.secret);
  }

  private async readFile(path: string): Promise<SourceText> {
    const read = await this.files.read(path);
    if ('unsettled' in read) return read;
    if ('error' in read) return { issue: { path: '', message: read.error } };
    return decoded(read.bytes);
  }

  private async readKey(kind: 'ConfigMap' | 'Secret', ref: HostKeyRef): Promise<SourceText> {
    const where = `${kind} ${ref.namespace}/${ref.name} key "${ref.key}"`;
    const problem = (message: string): SourceText => ({ issue: { path: '', message: `${where}: ${message}` } });
    try {
      const { core } = this.host;
      if (kind === 'ConfigMap') {
        const configMap = await core.readNamespacedConfigMap({ namespace: ref.namespace, name: ref.name });
        const text = configMap.data?.[ref.key];
        return text === undefined ? problem('no such key') : { text };
      }
      const secret = await core.readNamespacedSecret({ namespace: ref.namespace, name: ref.name });
      const data = secret.data?.[ref.key];
      return data === undefined ? problem('no such key') : decoded(Buffer.from(data, 'base64'));
    } catch (error) {
      return problem((error as { code?: number }).code === 404 ? 'not found' : errorMessage(error));
    }
  }
}

function decoded(bytes: Uint8Array): SourceText {
  const result = decodeConfigBytes(bytes);
  return result.issue ? { issue: result.issue } : { text: result.text };
}
