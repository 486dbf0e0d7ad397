import { describeValue } from '@service-replicator/references';
import type { ConfigPath } from './config-path';
import { sortIssues } from './config-issue';
import { isMapping } from './dto-constraints';
import { resolveMappings } from './mapping-resolver';
import type { ConfigIssue, NetworkPolicyConfig, TenantReplicationConfig, TenantSpec } from './model';
import { DEFAULT_TENANT_LIMITS, type TenantLimits } from './tenant-grants';
import { validateShape } from './validation-issues';
import { NetworkPolicyDto, ReplicateServicesDto } from './vcluster-config.dto';
import { YamlSource } from './yaml-source';

const REPLICATE_SERVICES: ConfigPath = ['networking', 'replicateServices'];
const NETWORK_POLICY: ConfigPath = ['policies', 'networkPolicy'];

/**
 * Reads what this project needs from a tenant's whole vcluster.yaml: `networking.replicateServices`
 * and `policies.networkPolicy`. Every other key is vCluster's business and is ignored.
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
  if (source === undefined) return { issues: parsed.issues };
  if (source.data !== null && !isMapping(source.data)) {
    return { issues: [source.issue([], `must be a mapping, got ${describeValue(source.data)}`)] };
  }
  const replicate = subtreeAt(source, REPLICATE_SERVICES);
  const policy = subtreeAt(source, NETWORK_POLICY);
  const issues = [...replicate.issues, ...policy.issues];
  let mappings: TenantReplicationConfig['mappings'] = [];
  if (replicate.value !== undefined) {
    issues.push(...validateShape(ReplicateServicesDto, replicate.value, REPLICATE_SERVICES, source, { strict: true }));
    const resolved = resolveMappings(replicate.value, tenant, source, REPLICATE_SERVICES, limits);
    issues.push(...resolved.issues);
    mappings = resolved.mappings;
  }
  if (policy.value !== undefined) {
    issues.push(...validateShape(NetworkPolicyDto, policy.value, NETWORK_POLICY, source, { strict: false }));
  }
  if (issues.length > 0) return { issues: sortIssues(issues) };
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
