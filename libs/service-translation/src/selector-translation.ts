import { createHash } from 'node:crypto';

/** Label keys vCluster's syncer sets on host pods itself, so a tenant's own value must move aside. */
export const RESERVED_SELECTOR_KEYS: readonly string[] = [
  'release',
  'vcluster.loft.sh/namespace',
  'vcluster.loft.sh/managed-by',
  'vcluster.loft.sh/controlled-by',
];

export const VCLUSTER_MANAGED_BY_LABEL = 'vcluster.loft.sh/managed-by';
export const VCLUSTER_NAMESPACE_LABEL = 'vcluster.loft.sh/namespace';

const HASHED_LABEL_PREFIX = 'vcluster.loft.sh/label';
const MAX_NAME_LENGTH = 63;

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * vCluster's SafeConcatName: join with "-", and past 63 characters keep 52 of them plus a hash
 * of the whole. The ".-" clean-up is vCluster's too; it keeps results byte-identical to what
 * its syncer puts on the pods, which is the whole point of this translation.
 */
export function safeConcatName(...parts: string[]): string {
  const joined = parts.join('-');
  if (joined.length <= MAX_NAME_LENGTH) return joined;
  return `${joined.slice(0, 52)}-${sha256Hex(joined).slice(0, 10)}`.replaceAll('.-', '-');
}

/** The host label key vCluster uses for a tenant pod label whose key is reserved. */
export function hostLabelKey(key: string, tenantName: string): string {
  if (!RESERVED_SELECTOR_KEYS.includes(key)) return key;
  return safeConcatName(HASHED_LABEL_PREFIX, tenantName, 'x', sha256Hex(key).slice(0, 10));
}

/**
 * A key that is already the host form of a reserved key of this tenant, as vCluster's
 * IsTranslatedLabel has it (pkg/util/translate/labels.go): exactly hostLabelKey(reserved, tenant)
 * for one of the reserved keys; keys hashed for another vCluster name are ordinary keys.
 */
export function isTranslatedLabelKey(key: string, tenantName: string): boolean {
  return RESERVED_SELECTOR_KEYS.some((reserved) => hostLabelKey(reserved, tenantName) === key);
}

/**
 * Rewrites a tenant Service selector so that it selects the tenant's pods as vCluster runs them
 * on the host. A missing selector stays missing: a selector-less Service must not suddenly
 * select every pod of the tenant. A key already in its translated form is dropped, as vCluster's
 * HostLabelsMap drops it: vCluster strips such labels from the pods it syncs, so keeping the key
 * would make the host Service select nothing.
 */
export function translateSelector(
  selector: Readonly<Record<string, string>> | undefined,
  tenantName: string,
  tenantNamespace: string,
): Record<string, string> | undefined {
  if (selector === undefined || selector === null) return undefined;
  const translated: Record<string, string> = {};
  for (const [key, value] of Object.entries(selector)) {
    if (!isTranslatedLabelKey(key, tenantName)) translated[hostLabelKey(key, tenantName)] = value;
  }
  translated[VCLUSTER_MANAGED_BY_LABEL] = tenantName;
  translated[VCLUSTER_NAMESPACE_LABEL] = tenantNamespace;
  return translated;
}
