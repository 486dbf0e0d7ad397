import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { grantRoles, repoRoot, startControlPlane, startRedis, type ControlPlane } from '@service-replicator/control-plane-harness';
import { formatIssue, parseTenantConfig, parseTenantsFile, tenantHostGrants, type TenantSpec } from '@service-replicator/replication-config';
import { parseDocument } from 'yaml';
import { seedSampleObjects, type SampleTenant, type SeededService } from './sample-objects';
import type { Teardown } from './teardown';

export const SAMPLE_DIR = join(repoRoot, 'deploy', 'sample');

/** A running local deployment of the sample: what the apps need and what the user is shown. */
export interface SampleDeployment {
  readonly dir: string;
  readonly hostKubeconfig: string;
  readonly tenantsFile: string;
  readonly redisUrl: string;
  readonly tenants: readonly { readonly name: string; readonly kubeconfig: string; readonly configFile?: string }[];
  readonly seeded: readonly SeededService[];
}

/**
 * Starts a host API server, one per sample tenant and Redis, writes the sample tenants file and
 * vcluster.yaml files into a temporary folder (with each tenant's kubeconfig filled in) and
 * creates the Services the sample mappings replicate. Everything started is added to `teardown`
 * as soon as it runs, so a failure or Ctrl-C halfway leaves nothing behind.
 */
export async function startSampleDeployment(teardown: Teardown): Promise<SampleDeployment> {
  const sampleText = await readFile(join(SAMPLE_DIR, 'tenants.yaml'), 'utf8');
  const specs = sampleTenants(sampleText);
  const dir = await mkdtemp(join(tmpdir(), 'sr-sandbox-'));
  teardown.add(`folder ${dir}`, () => rm(dir, { recursive: true, force: true }));
  const hostStart = tracked(teardown, 'host API server', startControlPlane({ name: 'host' }));
  const redisStart = tracked(teardown, 'Redis', startRedis());
  const tenantStarts = specs.map((spec) => tracked(teardown, `${spec.name} API server`, startControlPlane({ name: spec.name })));
  await allSettledOrThrow([hostStart, redisStart, ...tenantStarts]);
  const [host, redis, clusters] = [await hostStart, await redisStart, await Promise.all(tenantStarts)];
  const tenantsFile = join(dir, 'tenants.yaml');
  await writeFile(tenantsFile, withKubeconfigs(sampleText, clusters));
  const tenants = await Promise.all(specs.map((spec, index) => sampleTenant(spec, clusters[index], dir)));
  const seeded = await seedSampleObjects({ name: 'host', core: host.kubeConfig.makeApiClient(CoreV1Api) }, tenants);
  // What the Helm chart creates: each tenant's host identity, which the writer acts as, and its Roles.
  for (const spec of specs) await grantRoles(host.kubeConfig, tenantHostGrants(spec));
  return {
    dir,
    hostKubeconfig: host.kubeconfigPath,
    tenantsFile,
    redisUrl: redis.url,
    tenants: tenants.map(({ spec }, index) => ({
      name: spec.name,
      kubeconfig: clusters[index].kubeconfigPath,
      configFile: 'file' in spec.config ? join(dir, spec.config.file) : undefined,
    })),
    seeded,
  };
}

function sampleTenants(text: string): TenantSpec[] {
  const { tenants, issues } = parseTenantsFile(text);
  if (!tenants) throw new Error(`deploy/sample/tenants.yaml is invalid:\n  ${issues.map(formatIssue).join('\n  ')}`);
  return tenants;
}

/** A server start that registers the server for teardown the moment it is up. */
function tracked<T extends { stop(): Promise<void> }>(teardown: Teardown, what: string, start: Promise<T>): Promise<T> {
  return start.then((server) => {
    teardown.add(what, () => server.stop());
    return server;
  });
}

/**
 * Like Promise.all, but waits for the slower starts too before failing: a server that came up
 * after the failure must be registered before the teardown runs, or it would be left running.
 */
async function allSettledOrThrow(starts: readonly Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(starts)).find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Edits the YAML document rather than rebuilding it, so the sample's comments survive into the copy. */
function withKubeconfigs(sampleText: string, clusters: readonly ControlPlane[]): string {
  const document = parseDocument(sampleText);
  clusters.forEach((cluster, index) => document.setIn(['tenants', index, 'kubeconfig', 'file'], cluster.kubeconfigPath));
  return document.toString();
}

async function sampleTenant(spec: TenantSpec, cluster: ControlPlane, dir: string): Promise<SampleTenant> {
  if (!('file' in spec.config)) throw new Error(`sample tenant ${spec.name}: the sandbox reads config only from files`);
  await copyFile(join(SAMPLE_DIR, spec.config.file), join(dir, spec.config.file));
  const { config, issues } = parseTenantConfig(await readFile(join(dir, spec.config.file), 'utf8'), spec);
  if (!config) throw new Error(`deploy/sample/${spec.config.file} is invalid:\n  ${issues.map(formatIssue).join('\n  ')}`);
  return { spec, cluster: { name: spec.name, core: cluster.kubeConfig.makeApiClient(CoreV1Api) }, mappings: config.mappings };
}
