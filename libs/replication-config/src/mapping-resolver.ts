import { formatRef, parseReference, type ObjectRef } from '@service-replicator/references';
import type { ConfigPath } from './config-path';
import { isMapping } from './dto-constraints';
import type { ConfigIssue, Direction, Mapping, TenantSpec } from './model';
import { DEFAULT_TENANT_LIMITS, sourceNamespacesOf, targetNamespacesOf, type TenantLimits } from './tenant-grants';
import type { YamlSource } from './yaml-source';

/** The namespace a bare name means inside a tenant cluster, as in vCluster. */
export const TENANT_DEFAULT_NAMESPACE = 'default';

const DIRECTIONS: readonly Direction[] = ['fromHost', 'toHost'];

interface ResolveContext {
  readonly tenant: TenantSpec;
  readonly source: YamlSource;
  /** Path of `replicateServices` in the document. */
  readonly base: ConfigPath;
  readonly issues: ConfigIssue[];
  readonly limits: TenantLimits;
  /** Distinct host namespaces the fromHost entries read so far, against limits.maxSourceNamespaces. */
  readonly sourceNamespaces: Set<string>;
}

/**
 * Turns the `{from, to}` entries of shape-checked `replicateServices` data into mappings.
 * Entries whose from/to are not strings are skipped: the shape check has reported them.
 */
export function resolveMappings(
  replicateServices: Record<string, unknown>,
  tenant: TenantSpec,
  source: YamlSource,
  base: ConfigPath,
  limits: TenantLimits = DEFAULT_TENANT_LIMITS,
): { mappings: Mapping[]; issues: ConfigIssue[] } {
  const context: ResolveContext = { tenant, source, base, issues: [], limits, sourceNamespaces: new Set() };
  const mappings = DIRECTIONS.flatMap((direction) => {
    const entries = replicateServices[direction];
    return Array.isArray(entries) ? resolveDirection(direction, entries, context) : [];
  });
  checkMappingCount(replicateServices, context);
  return { mappings, issues: context.issues };
}

/** One issue, at the first entry past the limit (not one per entry: a config may be far over it). */
function checkMappingCount(replicateServices: Record<string, unknown>, context: ResolveContext): void {
  const { maxMappings } = context.limits;
  const counts = DIRECTIONS.map((direction) => {
    const entries = replicateServices[direction];
    return Array.isArray(entries) ? entries.length : 0;
  });
  if (counts[0] + counts[1] <= maxMappings) return;
  const at: ConfigPath = maxMappings < counts[0] ? ['fromHost', maxMappings] : ['toHost', maxMappings - counts[0]];
  report(
    context,
    at,
    `tenant "${context.tenant.name}" has ${counts[0] + counts[1]} entries; at most ${maxMappings} are allowed per tenant (MAX_MAPPINGS_PER_TENANT), and this is the first one over`,
  );
}

function resolveDirection(direction: Direction, entries: readonly unknown[], context: ResolveContext): Mapping[] {
  const firstIndexOfTarget = new Map<string, number>();
  const mappings: Mapping[] = [];
  entries.forEach((entry, index) => {
    // The shape check reports other non-mappings, but passes a nested list (it validates its items).
    if (Array.isArray(entry)) report(context, [direction, index], 'must be a mapping with from and to, got a list');
    if (!isMapping(entry)) return;
    const issuesBefore = context.issues.length;
    const source = resolveEnd(direction, index, 'from', entry.from, context);
    const target = resolveEnd(direction, index, 'to', entry.to, context);
    if (target !== undefined) {
      const first = firstIndexOfTarget.get(formatRef(target));
      if (first === undefined) firstIndexOfTarget.set(formatRef(target), index);
      else report(context, [direction, index, 'to'], `target ${formatRef(target)} is already the target of ${direction}[${first}]`);
    }
    if (source !== undefined && target !== undefined && context.issues.length === issuesBefore) {
      mappings.push({ tenant: context.tenant.name, direction, source, target });
    }
  });
  return mappings;
}

function resolveEnd(direction: Direction, index: number, end: 'from' | 'to', value: unknown, context: ResolveContext): ObjectRef | undefined {
  if (typeof value !== 'string') return undefined;
  const parsed = parseReference(value, defaultNamespace(direction, end, context.tenant));
  if (parsed.error !== undefined) {
    report(context, [direction, index, end], parsed.error);
    return undefined;
  }
  if (direction === 'toHost' && end === 'to') return allowedHostTarget(parsed.ref, index, context);
  if (direction === 'fromHost' && end === 'from') return grantedHostSource(parsed.ref, index, context);
  return parsed.ref;
}

/** Host-side references default to the tenant's host namespace, tenant-side ones to `default`. */
function defaultNamespace(direction: Direction, end: 'from' | 'to', tenant: TenantSpec): string {
  const hostSide = (direction === 'fromHost') === (end === 'from');
  return hostSide ? tenant.hostNamespace : TENANT_DEFAULT_NAMESPACE;
}

/** A tenant may write host Services only where it has been explicitly allowed to. */
function allowedHostTarget(target: ObjectRef, index: number, context: ResolveContext): ObjectRef | undefined {
  const { tenant } = context;
  const allowed = targetNamespacesOf(tenant);
  if (allowed.includes(target.namespace)) return target;
  report(
    context,
    ['toHost', index, 'to'],
    `namespace "${target.namespace}" is not allowed for toHost targets of tenant "${tenant.name}"; allowed: ${allowed.join(', ')}`,
  );
  return undefined;
}

/** A tenant may read host Services only where it has been granted to (the tenant's fromHostNamespaces). */
function grantedHostSource(source: ObjectRef, index: number, context: ResolveContext): ObjectRef | undefined {
  const { tenant } = context;
  const granted = sourceNamespacesOf(tenant);
  const path: ConfigPath = ['fromHost', index, 'from'];
  if (!granted.includes(source.namespace)) {
    report(context, path, `namespace "${source.namespace}" is not granted to tenant "${tenant.name}"; granted: ${granted.join(', ')} (fromHostNamespaces in the tenants file)`);
    return undefined;
  }
  const { sourceNamespaces, limits } = context;
  if (!sourceNamespaces.has(source.namespace) && sourceNamespaces.size >= limits.maxSourceNamespaces) {
    const count = sourceNamespaces.size + 1;
    report(context, path, `namespace "${source.namespace}" would make ${count} distinct fromHost source namespaces for tenant "${tenant.name}"; at most ${limits.maxSourceNamespaces} are allowed (MAX_SOURCE_NAMESPACES_PER_TENANT)`);
    return undefined;
  }
  sourceNamespaces.add(source.namespace);
  return source;
}

function report(context: ResolveContext, path: ConfigPath, message: string): void {
  context.issues.push(context.source.issue([...context.base, ...path], message));
}
