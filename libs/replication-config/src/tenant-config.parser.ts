import { describeValue } from '@service-replicator/references';
import type { ConfigPath } from './config-path';
import { reportedIssues } from './config-issue';
import { isMapping } from './dto-constraints';
import { emptyDocumentIssue } from './empty-document';
import { resolveMappings } from './mapping-resolver';
import type { ConfigIssue, NetworkPolicyConfig, TenantReplicationConfig, TenantSpec } from './model';
import { DEFAULT_TENANT_LIMITS, type TenantLimits } from './tenant-grants';
import { validateShape } from './validation-issues';
import { NetworkPolicyDto, ReplicateServicesDto } from './vcluster-config.dto';
import { unknownVclusterKeyIssues } from './vcluster-keys';
import { YamlSource } from './yaml-source';

const REPLICATE_SERVICES: ConfigPath = ['networking', 'replicateServices'];
const NETWORK_POLICY: ConfigPath = ['policies', 'networkPolicy'];
const EXPLICITLY_NOTHING = '`networking: { replicateServices: { fromHost: [], toHost: [] } }`';

/**
 * Reads what this project needs from a tenant's whole vcluster.yaml: `networking.replicateServices`
 * and `policies.networkPolicy`. Keys unknown to vCluster at the top level and under `networking`
 * are refused, as vCluster refuses them; the values of its other keys are its business.
 * An empty document is refused: removing every entry has to be written out.
 *
 * What a bare `name` (no `namespace/`) means:
 * - fromHost `from` (a host Service): the tenant's `hostNamespace`.
 * - fromHost `to` (a tenant Service): the tenant namespace `default`.
 * - toHost `from` (a tenant Service): the tenant namespace `default`.
 * - toHost `to` (a host Service): the tenant's `hostNamespace`. A `namespace/name` target is
 *   accepted only in `hostNamespace` or one of the tenant's `allowedHostNamespaces`.
 * - fromHost `from` is accepted only in `hostNamespace` or one of the tenant's `fromHostNamespaces`.
 * `limits` bound the number of entries and of distinct fromHost source namespaces.
 * Two entries of one direction with the same resolved target are an error at the later one.
 *
 * Never throws on bad input. With any issue, `config` is undefined: the caller keeps replicating
 * the last good config rather than acting on half of a broken one.
 */
export function parseTenantConfig(
  text: string,
  tenant: TenantSpec,
  limits: TenantLimits = DEFAULT_TENANT_LIMITS,
): { config?: TenantReplicationConfig; issues: ConfigIssue[] } {
  const parsed = YamlSource.parse(text);
  const source = parsed.source;
  if (source === undefined) return { issues: reportedIssues(parsed.issues) };
  if (source.data === null) return { issues: [emptyDocumentIssue(EXPLICITLY_NOTHING)] };
  if (!isMapping(source.data)) return { issues: [source.issue([], `must be a mapping, got ${describeValue(source.data)}`)] };
  const replicate = subtreeAt(source, REPLICATE_SERVICES);
  const policy = subtreeAt(source, NETWORK_POLICY);
  const issues = [...unknownVclusterKeyIssues(source.data, source), ...replicate.issues, ...policy.issues];
  let mappings: TenantReplicationConfig['mappings'] = [];
  if (replicate.value !== undefined) {
    if (!hasPlainShape(replicate.value)) {
      issues.push(...validateShape(ReplicateServicesDto, replicate.value, REPLICATE_SERVICES, source, { strict: true }));
    }
    const resolved = resolveMappings(replicate.value, tenant, source, REPLICATE_SERVICES, limits);
    issues.push(...resolved.issues);
    mappings = resolved.mappings;
  }
  if (policy.value !== undefined) {
    issues.push(...validateShape(NetworkPolicyDto, policy.value, NETWORK_POLICY, source, { strict: false }));
  }
  if (issues.length > 0) return { issues: reportedIssues(issues) };
  const networkPolicy = policy.value as NetworkPolicyConfig | undefined;
  return { config: networkPolicy === undefined ? { mappings } : { mappings, networkPolicy }, issues: [] };
}

/**
 * The mapping at `path`, or undefined when it (or a parent) is absent or null, which YAML writes
 * as an empty key. Anything else in the way is an issue at the first wrong step.
 */
function subtreeAt(source: YamlSource, path: ConfigPath): { value?: Record<string, unknown>; issues: ConfigIssue[] } {
  let value: unknown = source.data;
  for (let depth = 0; depth < path.length; depth++) {
    value = isMapping(value) ? value[path[depth]] : undefined;
    if (value === undefined || value === null) return { issues: [] };
    if (!isMapping(value)) {
      return { issues: [source.issue(path.slice(0, depth + 1), `must be a mapping, got ${describeValue(value)}`)] };
    }
  }
  return { value: value as Record<string, unknown>, issues: [] };
}

const DIRECTION_KEYS = new Set(['fromHost', 'toHost']);

/**
 * The shape ReplicateServicesDto accepts, checked directly: lists of `{from, to}` strings and nothing
 * else. A config in that shape has no shape issue, so the DTO (which reports every issue with its
 * path, at ~0.05 ms an entry) is only run when there is something to report: a 10,000-entry config
 * validates in milliseconds.
 */
function hasPlainShape(replicateServices: Record<string, unknown>): boolean {
  return Object.entries(replicateServices).every(
    ([key, entries]) =>
      DIRECTION_KEYS.has(key) &&
      (entries === undefined || entries === null || (Array.isArray(entries) && entries.every(isPlainEntry))),
  );
}

function isPlainEntry(entry: unknown): boolean {
  if (!isMapping(entry)) return false;
  const keys = Object.keys(entry);
  return keys.length === 2 && typeof entry.from === 'string' && typeof entry.to === 'string';
}
