import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ApiextensionsV1Api,
  KubernetesObjectApi,
  loadYaml,
  PatchStrategy,
  type KubeConfig,
  type KubernetesObject,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { repoRoot } from '@service-replicator/control-plane-harness';
import { eventually } from './wait';

export const CHART = join(repoRoot, 'deploy/helm/service-replicator');

/** The folder a tools/ ensure script prints (it builds or fetches on first use, then caches). */
function ensured(script: string): string {
  return execFileSync('bash', [join(repoRoot, script)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

let helmPath: string | undefined;

/** The pinned helm, built from the Go module proxy on first use (tools/helm/ensure-helm.sh). */
export function helm(): string {
  helmPath ??= join(ensured('tools/helm/ensure-helm.sh'), 'helm');
  return helmPath;
}

/**
 * The ServiceMonitor and ScaledObject CRDs as prometheus-operator and KEDA publish them
 * (tools/crds/ensure-crds.sh), installed for real, and served once each is Established: the
 * chart's objects of those kinds are then checked against the projects' own schemas.
 */
export async function installCrds(kubeConfig: KubeConfig): Promise<string[]> {
  const dir = ensured('tools/crds/ensure-crds.sh');
  const crds = readdirSync(dir).map((file) => parse(readFileSync(join(dir, file), 'utf8')) as V1CustomResourceDefinition);
  await applyObjects(kubeConfig, crds as KubernetesObject[], { dryRun: false });
  const api = kubeConfig.makeApiClient(ApiextensionsV1Api);
  for (const crd of crds) {
    const name = crd.metadata?.name ?? '';
    await eventually(async () => {
      const { status } = await api.readCustomResourceDefinition({ name });
      return status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ? true : undefined;
    }, 30_000);
  }
  return crds.map((crd) => `${crd.spec.names.kind} ${crd.spec.group}/${crd.spec.versions.map((v) => v.name).join(',')}`);
}

export interface HelmResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs helm with the values written to a file, as a user's `-f values.yaml` would be. */
export function runHelm(args: readonly string[], values: object = {}): HelmResult {
  const dir = mkdtempSync(join(tmpdir(), 'sr-helm-'));
  try {
    const valuesFile = join(dir, 'values.yaml');
    writeFileSync(valuesFile, stringify(values));
    // HOME and the helm folders point into the temporary folder: no user config is read or left.
    const env = { ...process.env, HOME: dir, HELM_CACHE_HOME: dir, HELM_CONFIG_HOME: dir, HELM_DATA_HOME: dir };
    const result = spawnSync(helm(), [...args, '-f', valuesFile], { encoding: 'utf8', env });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface Release {
  readonly name: string;
  readonly namespace: string;
}

/** `helm template`: the manifests an install would apply, parsed. Throws with helm's message. */
export function renderChart(release: Release, values: object): KubernetesObject[] {
  const result = runHelm(['template', release.name, CHART, '--namespace', release.namespace], values);
  if (result.status !== 0) throw new Error(`helm template failed (${result.status}):\n${result.stderr}`);
  return parseAllDocuments(result.stdout)
    .map((doc) => doc.toJS() as KubernetesObject | null)
    .filter((object): object is KubernetesObject => object !== null);
}

export function ofKind(objects: readonly KubernetesObject[], kind: string): KubernetesObject[] {
  return objects.filter((object) => object.kind === kind);
}

/**
 * Server-side apply of every object, in order (ServiceAccounts and Roles before the Bindings
 * that name them, as helm orders them). `dryRun` asks the API server to validate, admit and
 * default each object without storing it (kubectl's `--dry-run=server`).
 */
export async function applyObjects(kubeConfig: KubeConfig, objects: readonly KubernetesObject[], options: { dryRun: boolean }): Promise<void> {
  const client = KubernetesObjectApi.makeApiClient(kubeConfig);
  for (const object of objects) {
    try {
      // The client serializes a kind it knows from its own model, which names fields in camelCase:
      // wire names such as x-kubernetes-int-or-string (in CRDs) would be dropped without this.
      const typed = loadYaml<KubernetesObject>(JSON.stringify(object));
      await client.patch(typed, undefined, options.dryRun ? 'All' : undefined, 'helm-chart-test', true, PatchStrategy.ServerSideApply);
    } catch (error) {
      const where = `${object.kind} ${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
      throw new Error(`applying ${where} failed: ${(error as { body?: string }).body ?? String(error)}`);
    }
  }
}

/** Values for one tenant whose vcluster.yaml is given inline (a ConfigMap of the release). */
export function tenantValues(tenant: { name: string; hostNamespace: string; kubeconfigSecret: string; replicateServices: object }): object {
  return {
    name: tenant.name,
    hostNamespace: tenant.hostNamespace,
    kubeconfig: { secret: { namespace: tenant.hostNamespace, name: tenant.kubeconfigSecret, key: 'config' } },
    config: { values: { networking: { replicateServices: tenant.replicateServices } } },
  };
}
