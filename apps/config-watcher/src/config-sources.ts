import { dirname } from 'node:path';
import type { V1ConfigMap } from '@kubernetes/client-node';
import type { HostObjectInformers, VClusterDiscovery } from '@service-replicator/kube';
import { decodeConfigBytes, resolveTenantPaths, type ConfigIssue, type HostKeyRef, type TenantSpec } from '@service-replicator/replication-config';
import { SettledFiles } from './settled-files';

/**
 * The text of a source; why it cannot be used (reported like a config error: the last good config
 * stays in force); or that a file is still being written (nothing to decide yet).
 */
export type SourceText = { readonly text: string } | { readonly issue: ConfigIssue } | { readonly unsettled: string };

/**
 * Reads the tenants file and tenants' vcluster.yaml: files (relative to the tenants file) once
 * settled, host ConfigMaps and Secrets (written whole by the API) from informer caches (one watch
 * per namespace; an edit arrives as an event and costs no request), a discovered vCluster's config
 * from discovery's own watch.
 */
export class ConfigSources {
  private readonly files: SettledFiles;

  constructor(
    private readonly tenantsFile: string | undefined,
    private readonly objects: Pick<HostObjectInformers, 'read'>,
    settleMs: number,
    private readonly discovery?: VClusterDiscovery,
  ) {
    this.files = new SettledFiles(settleMs);
  }

  /** Undefined without a tenants file (discovery only). */
  async readTenantsFile(): Promise<SourceText | undefined> {
    return this.tenantsFile === undefined ? undefined : this.readFile(this.tenantsFile);
  }

  resolvePaths(tenant: TenantSpec): TenantSpec {
    return this.tenantsFile === undefined ? tenant : resolveTenantPaths(tenant, dirname(this.tenantsFile));
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
    const discovered = kind === 'Secret' ? this.discovery?.secret(ref.namespace, ref.name) : undefined;
    const read = discovered ? { object: discovered } : await this.objects.read(kind, ref.namespace, ref.name);
    if ('error' in read) return problem(read.error);
    if ('missing' in read) return problem('not found');
    if (kind === 'ConfigMap') {
      const text = (read.object as V1ConfigMap).data?.[ref.key];
      return text === undefined ? problem('no such key') : { text };
    }
    const data = read.object.data?.[ref.key];
    return data === undefined ? problem('no such key') : decoded(Buffer.from(data, 'base64'));
  }
}

function decoded(bytes: Uint8Array): SourceText {
  const result = decodeConfigBytes(bytes);
  return result.issue ? { issue: result.issue } : { text: result.text };
}
