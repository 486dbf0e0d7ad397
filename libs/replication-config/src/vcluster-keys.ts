import { MAX_REPORTED_ISSUES, sortIssues } from './config-issue';
import type { ConfigPath } from './config-path';
import { isMapping } from './dto-constraints';
import { closestKey } from './key-suggestion';
import type { ConfigIssue } from './model';
import type { YamlSource } from './yaml-source';

/**
 * The keys vCluster accepts at the top level and under `networking` of a vcluster.yaml, from its
 * config schema (loft-sh/vcluster chart/values.schema.json, `additionalProperties: false` at both
 * levels; the Go type `config.Config`, read with yaml.UnmarshalStrict). vCluster refuses any other
 * key there, so a typo such as `networking.replicatServices` must not read as "no mappings".
 * test/src/vcluster-configs.test.ts checks these lists against that schema.
 */
export const VCLUSTER_TOP_LEVEL_KEYS: readonly string[] = [
  'global', 'exportKubeConfig', 'sync', 'integrations', 'deploy', 'networking', 'policies', 'controlPlane',
  'privateNodes', 'rbac', 'plugins', 'experimental', 'telemetry', 'serviceCIDR', 'pro', 'plugin', 'logging',
  'sleep', 'snapshots', 'deletion', 'platform',
];

export const VCLUSTER_NETWORKING_KEYS: readonly string[] = ['serviceCIDR', 'podCIDR', 'replicateServices', 'resolveDNS', 'advanced'];

/** Keys people write in the wrong place, with what to write instead. */
const TOP_LEVEL_ADVICE: Readonly<Record<string, string>> = {
  replicateServices: 'unknown top-level key; did you mean "networking.replicateServices"? (it belongs under networking)',
  mapServices:
    'the legacy (vCluster < 0.20) mapServices is no longer read: write mapServices.fromHost as ' +
    'networking.replicateServices.fromHost and mapServices.fromVirtual as networking.replicateServices.toHost ' +
    '(`vcluster convert config` does this migration)',
};

/** Unknown keys at the top level and under `networking`, each with a "did you mean" where one fits. */
export function unknownVclusterKeyIssues(data: Record<string, unknown>, source: YamlSource): ConfigIssue[] {
  const issues = unknownKeys(data, [], VCLUSTER_TOP_LEVEL_KEYS, source, TOP_LEVEL_ADVICE);
  const networking = data.networking;
  if (isMapping(networking)) issues.push(...unknownKeys(networking, ['networking'], VCLUSTER_NETWORKING_KEYS, source, {}));
  return sortIssues(issues);
}

function unknownKeys(
  mapping: Record<string, unknown>,
  path: ConfigPath,
  known: readonly string[],
  source: YamlSource,
  advice: Readonly<Record<string, string>>,
): ConfigIssue[] {
  const unknown = Object.keys(mapping).filter((key) => !known.includes(key));
  const issues = unknown.slice(0, MAX_REPORTED_ISSUES).map((key) => source.issue([...path, key], (Object.hasOwn(advice, key) ? advice[key] : unknownKeyMessage(key, path, known))));
  // Only so many are read anyway; describing 500,000 of them would take seconds.
  const more = unknown.length - issues.length;
  if (more > 0) issues.push(source.issue(path, `and ${more} more unknown keys`));
  return issues;
}

function unknownKeyMessage(key: string, path: ConfigPath, known: readonly string[]): string {
  const where = path.length === 0 ? 'top-level key' : `key under ${path.join('.')}`;
  const suggestion = closestKey(key, known);
  const hint = suggestion === undefined ? '' : `; did you mean "${[...path, suggestion].join('.')}"?`;
  return `unknown ${where} (vCluster refuses it); expected one of ${known.join(', ')}${hint}`;
}
