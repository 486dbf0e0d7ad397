import { describeValue, dns1123LabelError, type ObjectRef } from '@service-replicator/references';
import { reportedIssues } from './config-issue';
import { isMapping } from './dto-constraints';
import { emptyDocumentIssue } from './empty-document';
import type { ConfigIssue, HostKeyRef, TenantSpec } from './model';
import { defaultHostServiceAccount } from './tenant-grants';
import { hostServiceAccountIssues } from './tenant-identity-check';
import type { ConfigSourceDto, HostKeyRefDto, KubeconfigSourceDto, TenantDto } from './tenants-file.dto';
import { TenantsFileDto } from './tenants-file.dto';
import { validateShape } from './validation-issues';
import { YamlSource } from './yaml-source';

/**
 * Parses the tenants file: `tenants:`, a list of entries shaped like TenantSpec, where
 * `kubeconfig` is `{file}` or `{secret: {namespace, name, key}}` and `config` is `{file}`,
 * `{configMap: {...}}` or `{secret: {...}}`. Defaults: `allowedHostNamespaces` and
 * `fromHostNamespaces` [], `toHostMode` selector, `allowExternalName` false, `hostServiceAccount`
 * `service-replicator/tenant-<name>` (tenant-grants.ts); `adoptVClusterMirrors` and `endpoints` are
 * set only when true. File paths are returned as written; relative ones are resolved by the caller
 * against the tenants file's folder. An empty document is refused (no tenants is written
 * `tenants: []`). Never throws on bad input; with any issue, `tenants` is undefined.
 */
export function parseTenantsFile(text: string): { tenants?: TenantSpec[]; issues: ConfigIssue[] } {
  const parsed = YamlSource.parse(text);
  const source = parsed.source;
  if (source === undefined) return { issues: reportedIssues(parsed.issues) };
  const data = source.data;
  if (data === null) return { issues: [emptyDocumentIssue('`tenants: []`')] };
  if (!isMapping(data)) return { issues: [source.issue([], `must be a mapping, got ${describeValue(data)}`)] };
  const issues = validateShape(TenantsFileDto, data, [], source, { strict: true });
  const entries = Array.isArray(data.tenants) ? data.tenants : [];
  issues.push(
    ...nestedListIssues(entries, source),
    ...duplicateNameIssues(entries, source),
    ...namespaceListIssues(entries, source, 'allowedHostNamespaces'),
    ...namespaceListIssues(entries, source, 'fromHostNamespaces'),
  );
  if (issues.length > 0) return { issues: reportedIssues(issues) };
  // Validated above, so the plain data has the DTOs' shape.
  const tenants = (entries as TenantDto[]).map(toTenantSpec);
  const defaulted = (entries as TenantDto[]).map((entry) => entry.hostServiceAccount == null);
  const identityIssues = hostServiceAccountIssues(tenants, defaulted, source);
  return identityIssues.length > 0 ? { issues: reportedIssues(identityIssues) } : { tenants, issues: [] };
}

/** The shape check reports other non-mappings, but passes a nested list (it validates its items). */
function nestedListIssues(entries: readonly unknown[], source: YamlSource): ConfigIssue[] {
  return entries.flatMap((entry, index) => (Array.isArray(entry) ? [source.issue(['tenants', index], 'must be a mapping, got a list')] : []));
}

function duplicateNameIssues(entries: readonly unknown[], source: YamlSource): ConfigIssue[] {
  const firstIndexOfName = new Map<string, number>();
  const issues: ConfigIssue[] = [];
  entries.forEach((entry, index) => {
    if (!isMapping(entry) || typeof entry.name !== 'string') return;
    const first = firstIndexOfName.get(entry.name);
    if (first === undefined) firstIndexOfName.set(entry.name, index);
    else issues.push(source.issue(['tenants', index, 'name'], `tenant "${entry.name}" is already declared at tenants[${first}]`));
  });
  return issues;
}

/** Checked item by item here (not in the DTO) so each issue points at the bad item. */
function namespaceListIssues(entries: readonly unknown[], source: YamlSource, key: 'allowedHostNamespaces' | 'fromHostNamespaces'): ConfigIssue[] {
  return entries.flatMap((entry, index) => {
    const namespaces = isMapping(entry) ? entry[key] : undefined;
    if (!Array.isArray(namespaces)) return [];
    return namespaces.flatMap((namespace: unknown, item) => {
      const error =
        typeof namespace === 'string' ? dns1123LabelError(namespace, 'namespace') : `must be a string, got ${describeValue(namespace)}`;
      return error === undefined ? [] : [source.issue(['tenants', index, key, item], error)];
    });
  });
}

function toTenantSpec(entry: TenantDto): TenantSpec {
  return {
    name: entry.name,
    hostNamespace: entry.hostNamespace,
    kubeconfig: toKubeconfigSource(entry.kubeconfig),
    allowedHostNamespaces: [...(entry.allowedHostNamespaces ?? [])],
    config: toConfigSource(entry.config),
    toHostMode: entry.toHostMode ?? 'selector',
    // Only when on, so the spec (published, and compared to notice changes) of a tenant without them is unchanged.
    ...(entry.adoptVClusterMirrors ? { adoptVClusterMirrors: true } : {}),
    ...(entry.endpoints ? { endpoints: true } : {}),
    fromHostNamespaces: [...(entry.fromHostNamespaces ?? [])],
    hostServiceAccount: entry.hostServiceAccount ? toObjectRef(entry.hostServiceAccount) : defaultHostServiceAccount(entry.name),
    allowExternalName: entry.allowExternalName ?? false,
  };
}

/** Only reached for a validated `namespace/name`. */
function toObjectRef(value: string): ObjectRef {
  const [namespace, name] = value.split('/');
  return { namespace, name };
}

function toKubeconfigSource(source: KubeconfigSourceDto): TenantSpec['kubeconfig'] {
  return source.file != null ? { file: source.file } : { secret: toHostKeyRef(source.secret) };
}

function toConfigSource(source: ConfigSourceDto): TenantSpec['config'] {
  if (source.file != null) return { file: source.file };
  return source.configMap != null ? { configMap: toHostKeyRef(source.configMap) } : { secret: toHostKeyRef(source.secret) };
}

/** Only reached after HasExactlyOneOf has made sure the chosen reference is there. */
function toHostKeyRef(ref: HostKeyRefDto | undefined): HostKeyRef {
  if (ref === undefined) throw new Error('unreachable: a validated source has its key reference');
  return { namespace: ref.namespace, name: ref.name, key: ref.key };
}
