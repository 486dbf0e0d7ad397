import { RbacAuthorizationV1Api, type KubeConfig, type V1RoleBinding } from '@kubernetes/client-node';
import { tenantClusterRoles, type TenantRoleBinding } from '@service-replicator/replication-config';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, TENANT_LABEL } from '@service-replicator/service-translation';
import { apiMessage, apiStatus } from './api-error';
import { ALL_NAMESPACES } from './host-object-informers';

export interface TenantIdentityBindingsOptions {
  /** The tenant ClusterRoles' prefix (`<prefix>-read`, ...): only bindings to them are ours. */
  readonly clusterRolePrefix: string;
  /** Where bindings of ours may be (discovery's namespaces and the grantable ones), or `*`. */
  readonly namespaces: readonly string[] | typeof ALL_NAMESPACES;
  /** How often what is there is listed again (a binding someone deleted is made again then). */
  readonly relistEveryMs: number;
}

/** Lists at once: a few namespaces at a time. */
const LIST_CONCURRENCY = 8;

/**
 * Keeps the RoleBindings that give tenants' host identities their grants equal to what they should
 * be, level-triggered: it lists what is there (at start, when a write found something unexpected,
 * and every `relistEveryMs`), remembers what it wrote, and in between compares with that memory
 * only, so a pass costs no API request unless something changed. A binding is ours when it carries
 * our managed-by and tenant labels and refers to one of our tenant ClusterRoles; nothing else is
 * ever deleted. Creating one needs only `bind` on those ClusterRoles (no escalation: they hold
 * what a tenant identity may do, nothing more), and bindings are never updated, only created and
 * deleted.
 */
export class TenantIdentityBindings {
  private readonly rbac: RbacAuthorizationV1Api;
  private readonly ourRoles: ReadonlySet<string>;
  /** Ours as last listed or written, by `<namespace>/<name>`. */
  private readonly known = new Map<string, V1RoleBinding>();
  private listedAt: number | undefined;

  constructor(kubeConfig: KubeConfig, private readonly options: TenantIdentityBindingsOptions) {
    this.rbac = kubeConfig.makeApiClient(RbacAuthorizationV1Api);
    this.ourRoles = new Set(Object.values(tenantClusterRoles(options.clusterRolePrefix)));
  }

  /** What is there is listed again before the next reconcile (a new leadership term, say). */
  relistSoon(): void {
    this.listedAt = undefined;
  }

  /** Makes ours equal `desired`; returns, per tenant, why its bindings could not be made or removed. */
  async reconcile(desired: readonly TenantRoleBinding[]): Promise<Map<string, string>> {
    const errors = new Map<string, string>();
    if (this.listedAt === undefined || Date.now() - this.listedAt >= this.options.relistEveryMs) await this.list(errors);
    const wanted = new Map(desired.map((binding) => [`${binding.namespace}/${binding.name}`, binding]));
    for (const [key, existing] of this.known) {
      if (!sameBinding(existing, wanted.get(key))) await this.remove(key, existing, errors);
    }
    for (const [key, binding] of wanted) {
      if (!this.known.has(key)) await this.create(key, binding, errors);
    }
    return errors;
  }

  private async list(errors: Map<string, string>): Promise<void> {
    const labelSelector = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},${TENANT_LABEL}`;
    const { namespaces } = this.options;
    const calls = namespaces === ALL_NAMESPACES ? [() => this.rbac.listRoleBindingForAllNamespaces({ labelSelector })] : namespaces.map((namespace) => () => this.rbac.listNamespacedRoleBinding({ namespace, labelSelector }));
    let failed = false;
    const listed: V1RoleBinding[] = [];
    for (let next = 0; next < calls.length; next += LIST_CONCURRENCY) {
      const results = await Promise.allSettled(calls.slice(next, next + LIST_CONCURRENCY).map((call) => call()));
      for (const result of results) {
        if (result.status === 'fulfilled') listed.push(...result.value.items.filter((binding) => this.ourRoles.has(binding.roleRef.name)));
        else {
          failed = true;
          errors.set('', `could not list the tenants' RoleBindings: ${apiMessage(result.reason)}`);
        }
      }
    }
    // A namespace that could not be listed keeps what was known of it; it is listed again next time.
    if (!failed) this.known.clear();
    for (const binding of listed) this.known.set(`${binding.metadata?.namespace}/${binding.metadata?.name}`, binding);
    this.listedAt = failed ? undefined : Date.now();
  }

  private async create(key: string, binding: TenantRoleBinding, errors: Map<string, string>): Promise<void> {
    try {
      this.known.set(key, await this.rbac.createNamespacedRoleBinding({ namespace: binding.namespace, body: roleBindingOf(binding) }));
    } catch (error) {
      // 409: one of that name is there, not ours (ours would have been listed); it stays untouched.
      errors.set(binding.tenant, `could not bind ${binding.clusterRole} to ServiceAccount ${binding.serviceAccount.namespace}/${binding.serviceAccount.name} in namespace ${binding.namespace}: ${apiMessage(error)}`);
    }
  }

  private async remove(key: string, existing: V1RoleBinding, errors: Map<string, string>): Promise<void> {
    const { namespace = '', name = '', uid, resourceVersion } = existing.metadata ?? {};
    try {
      await this.rbac.deleteNamespacedRoleBinding({ namespace, name, body: { preconditions: { uid, resourceVersion } } });
      this.known.delete(key);
    } catch (error) {
      if (apiStatus(error) === 404) this.known.delete(key);
      else {
        if (apiStatus(error) === 409) this.relistSoon();
        errors.set(existing.metadata?.labels?.[TENANT_LABEL] ?? '', `could not remove RoleBinding ${namespace}/${name}: ${apiMessage(error)}`);
      }
    }
  }
}

/** A binding as we make it: our labels, the tenant's ClusterRole, the tenant's identity as its one subject. */
function roleBindingOf(binding: TenantRoleBinding): V1RoleBinding {
  return {
    metadata: { name: binding.name, namespace: binding.namespace, labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [TENANT_LABEL]: binding.tenant } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: binding.clusterRole },
    subjects: [{ kind: 'ServiceAccount', namespace: binding.serviceAccount.namespace, name: binding.serviceAccount.name }],
  };
}

/** Whether what is there is what should be (roleRef is immutable: a different one means delete and create). */
function sameBinding(existing: V1RoleBinding, wanted: TenantRoleBinding | undefined): boolean {
  if (!wanted) return false;
  const subjects = existing.subjects ?? [];
  return (
    existing.roleRef.kind === 'ClusterRole' &&
    existing.roleRef.name === wanted.clusterRole &&
    existing.metadata?.labels?.[TENANT_LABEL] === wanted.tenant &&
    subjects.length === 1 &&
    subjects[0].kind === 'ServiceAccount' &&
    subjects[0].namespace === wanted.serviceAccount.namespace &&
    subjects[0].name === wanted.serviceAccount.name
  );
}
