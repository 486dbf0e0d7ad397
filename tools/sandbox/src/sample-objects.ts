import type { CoreV1Api, V1Service } from '@kubernetes/client-node';
import { formatRef, type ObjectRef } from '@service-replicator/references';
import type { Mapping, TenantSpec } from '@service-replicator/replication-config';

/** One cluster of the sandbox, as the seeding and the port changes reach it. */
export interface SandboxCluster {
  /** "host" or the tenant's name. */
  readonly name: string;
  readonly core: CoreV1Api;
}

export interface SampleTenant {
  readonly spec: TenantSpec;
  readonly cluster: SandboxCluster;
  readonly mappings: readonly Mapping[];
}

/** A Service the sandbox created, whose port it changes now and then. */
export interface SeededService {
  readonly cluster: SandboxCluster;
  readonly ref: ObjectRef;
}

const FIRST_PORT = 80;
const OTHER_PORT = 8080;

/**
 * Creates what the sample mappings read, derived from the mappings themselves so that editing
 * deploy/sample needs no code change: the host namespaces toHost may write into (the writer
 * never creates host namespaces), every fromHost source, and every toHost source that no
 * fromHost mapping of the same tenant produces (otherwise it would conflict with that mirror).
 */
export async function seedSampleObjects(host: SandboxCluster, tenants: readonly SampleTenant[]): Promise<SeededService[]> {
  const hostNamespaces = tenants.flatMap((t) => [t.spec.hostNamespace, ...t.spec.allowedHostNamespaces]);
  for (const namespace of new Set(hostNamespaces)) await ensureNamespace(host, namespace);
  const seeded: SeededService[] = [];
  const hostSources = tenants.flatMap((t) => t.mappings.filter((m) => m.direction === 'fromHost').map((m) => m.source));
  for (const ref of uniqueRefs(hostSources)) seeded.push(await ensureService(host, ref));
  for (const tenant of tenants) {
    for (const ref of uniqueRefs(tenantOnlySources(tenant.mappings))) seeded.push(await ensureService(tenant.cluster, ref));
  }
  return seeded;
}

/** Flips the port between two values, so each change is visible in the mirrors' specs. */
export async function changePort(service: SeededService): Promise<{ from: number; to: number }> {
  const current = await service.cluster.core.readNamespacedService(service.ref);
  const from = current.spec?.ports?.[0]?.port ?? FIRST_PORT;
  const to = from === FIRST_PORT ? OTHER_PORT : FIRST_PORT;
  await service.cluster.core.patchNamespacedService({
    ...service.ref,
    body: [{ op: 'replace', path: '/spec/ports/0/port', value: to }],
  });
  return { from, to };
}

function tenantOnlySources(mappings: readonly Mapping[]): ObjectRef[] {
  const mirrored = new Set(mappings.filter((m) => m.direction === 'fromHost').map((m) => formatRef(m.target)));
  return mappings.filter((m) => m.direction === 'toHost' && !mirrored.has(formatRef(m.source))).map((m) => m.source);
}

async function ensureService(cluster: SandboxCluster, ref: ObjectRef): Promise<SeededService> {
  await ensureNamespace(cluster, ref.namespace);
  await cluster.core.createNamespacedService({ namespace: ref.namespace, body: sampleService(ref) }).catch(ignoreConflict);
  return { cluster, ref };
}

function sampleService(ref: ObjectRef): V1Service {
  return {
    metadata: { name: ref.name, labels: { app: ref.name } },
    spec: { selector: { app: ref.name }, ports: [{ name: 'http', port: FIRST_PORT, targetPort: 8080, protocol: 'TCP' }] },
  };
}

async function ensureNamespace(cluster: SandboxCluster, name: string): Promise<void> {
  await cluster.core.createNamespace({ body: { metadata: { name } } }).catch(ignoreConflict);
}

function uniqueRefs(refs: readonly ObjectRef[]): ObjectRef[] {
  return [...new Map(refs.map((ref) => [formatRef(ref), ref])).values()];
}

/** Already there (a namespace shared by two mappings) is what we wanted. */
function ignoreConflict(error: unknown): void {
  if ((error as { code?: number }).code !== 409) throw error;
}
