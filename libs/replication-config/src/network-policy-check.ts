import type { ConfigIssue, Mapping, NetworkPolicyConfig, TenantSpec } from './model';

const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
const WORKLOAD = 'policies.networkPolicy.workload';

type Rule = Readonly<Record<string, unknown>>;
type Verdict = 'allows' | 'maybe' | 'denies';

/**
 * With vCluster's network policies on, a tenant's pods may only talk where
 * `policies.networkPolicy.workload` lets them, and replicated Services are no exception (the
 * user's document tells people to add those rules by hand). This finds the rules that are
 * missing: a fromHost source namespace the tenant's pods cannot reach (egress), and toHost
 * mirrors whose callers, in other host namespaces, the tenant's pods do not admit (ingress).
 * Warnings, not errors: a rule we cannot judge (ipBlock, other namespace labels) is given the
 * benefit of the doubt, and the config stays valid either way.
 */
export function networkPolicyWarnings(policy: NetworkPolicyConfig | undefined, mappings: readonly Mapping[], tenant: TenantSpec): ConfigIssue[] {
  if (policy?.enabled !== true) return [];
  const egress = policy.workload?.egress ?? [];
  const ingress = policy.workload?.ingress ?? [];
  const warnings: ConfigIssue[] = [];
  const fromHost = mappings.filter((m) => m.direction === 'fromHost');
  const unreachable = new Map<string, string[]>();
  fromHost.forEach((mapping, index) => {
    const namespace = mapping.source.namespace;
    if (namespace === tenant.hostNamespace || egress.some((rule) => ruleVerdict(rule, 'to', namespace, tenant) !== 'denies')) return;
    unreachable.set(namespace, [...(unreachable.get(namespace) ?? []), `fromHost[${index}]`]);
  });
  for (const [namespace, entries] of unreachable) {
    warnings.push({
      path: `${WORKLOAD}.egress`,
      message:
        `no egress rule lets the tenant's pods reach host namespace "${namespace}", where ${entries.join(', ')} ` +
        `read their Service; add: - to: [{ namespaceSelector: { matchLabels: { ${NAMESPACE_NAME_LABEL}: ${namespace} } } }]`,
    });
  }
  const toHost = mappings.some((m) => m.direction === 'toHost');
  if (toHost && !ingress.some((rule) => ruleVerdict(rule, 'from', undefined, tenant) !== 'denies')) {
    warnings.push({
      path: `${WORKLOAD}.ingress`,
      message:
        'no ingress rule admits traffic from other host namespaces, so host pods calling the toHost mirrors ' +
        `will be refused by the tenant's pods; add: - from: [{ namespaceSelector: { matchLabels: { ${NAMESPACE_NAME_LABEL}: <caller namespace> } } }]`,
    });
  }
  return warnings;
}

/**
 * Whether one rule lets traffic to (egress) or from (ingress) another host namespace: `namespace`
 * names it, or undefined means "any namespace other than the tenant's own".
 */
function ruleVerdict(rule: Rule, side: 'to' | 'from', namespace: string | undefined, tenant: TenantSpec): Verdict {
  const peers = rule[side];
  if (!Array.isArray(peers) || peers.length === 0) return 'allows';
  const verdicts = peers.map((peer) => peerVerdict(peer as Rule, namespace, tenant));
  return verdicts.includes('allows') ? 'allows' : verdicts.includes('maybe') ? 'maybe' : 'denies';
}

function peerVerdict(peer: Rule, namespace: string | undefined, tenant: TenantSpec): Verdict {
  if (peer.ipBlock !== undefined) return 'maybe';
  const selector = peer.namespaceSelector as { matchLabels?: Record<string, string>; matchExpressions?: unknown[] } | undefined;
  // A podSelector alone selects pods in the policy's own namespace: the tenant's.
  if (selector === undefined) return namespace === tenant.hostNamespace ? 'allows' : 'denies';
  const labels = selector.matchLabels ?? {};
  const expressions = selector.matchExpressions ?? [];
  if (Object.keys(labels).length === 0 && expressions.length === 0) return 'allows';
  const named = labels[NAMESPACE_NAME_LABEL];
  if (named === undefined) return 'maybe';
  const wanted = namespace === undefined ? named !== tenant.hostNamespace : named === namespace;
  return wanted ? 'allows' : 'denies';
}
