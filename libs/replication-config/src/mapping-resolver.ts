import { formatRef, parseReference, type ObjectRef } from '@service-replicator/references';
import type { ConfigPath } from './config-path';
import { isMapping } from './dto-constraints';
import type { ConfigIssue, Direction, Mapping, TenantSpec } from './model';
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
): { mappings: Mapping[]; issues: ConfigIssue[] } {
  const context: ResolveContext = { tenant, source, base, issues: [] };
  const mappings = DIRECTIONS.flatMap((direction) => {
    const entries = replicateServices[direction];
    return Array.isArray(entries) ? resolveDirection(direction, entries, context) : [];
  });
  return { mappings, issues: context.issues };
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
  const allowed = [tenant.hostNamespace, ...tenant.allowedHostNamespaces.filter((ns) => ns !== tenant.hostNamespace)];
  if (allowed.includes(target.namespace)) return target;
  report(
    context,
    ['toHost', index, 'to'],
    `namespace "${target.namespace}" is not allowed for toHost targets of tenant "${tenant.name}"; allowed: ${allowed.join(', ')}`,
  );
  return undefined;
}

function report(context: ResolveContext, path: ConfigPath, message: string): void {
  context.issues.push(context.source.issue([...context.base, ...path], message));
}
