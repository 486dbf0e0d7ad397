import type { VClusterDiscovery } from '@service-replicator/kube';
import { formatRef } from '@service-replicator/references';
import { formatIssue, hostServiceAccountOf, parseTenantsFile, type ConfigIssue, type TenantSpec } from '@service-replicator/replication-config';
import type { Logger } from '@service-replicator/runtime';
import type { ConfigSources } from './config-sources';

/** The tenants in force, from the tenants file and discovery together. */
export interface TenantList {
  readonly tenants: readonly TenantSpec[];
  /**
   * Problems with a tenant's spec (a discovered vCluster's bad annotation, a name both sources
   * declare): reported with the tenant's config check; a tenant whose spec could not be built keeps
   * its last good spec.
   */
  readonly specIssues: ReadonlyMap<string, readonly ConfigIssue[]>;
  /**
   * False while a source cannot tell which tenants exist (the tenants file not read yet, discovery
   * not listed or failing): no tenant is retired then, since one missing may only be unseen.
   */
  readonly complete: boolean;
}

/**
 * Where tenants come from: the tenants file (its last good version) and vCluster discovery. A name
 * in both is the file's (reported on the tenant); two vClusters of one name in different
 * namespaces: the first namespace in order wins (reported on the tenant).
 */
export class TenantSources {
  private fileTenants: readonly TenantSpec[] | undefined;
  private fileInput: string | undefined;
  private readonly lastGoodDiscovered = new Map<string, TenantSpec>();
  private reportedErrors = '';

  constructor(
    private readonly sources: ConfigSources,
    private readonly discovery: VClusterDiscovery | undefined,
    private readonly logger: Logger,
    /** Watches a tenant's config file for edits. */
    private readonly watchFile: (file: string) => void,
  ) {}

  async read(): Promise<TenantList> {
    const file = await this.readFileTenants();
    const specIssues = new Map<string, ConfigIssue[]>();
    const addIssue = (name: string, issue: ConfigIssue) => specIssues.set(name, [...(specIssues.get(name) ?? []), issue]);
    const tenants = new Map((file.tenants ?? []).map((tenant) => [tenant.name, tenant]));
    const identities = new Map((file.tenants ?? []).map((tenant) => [formatRef(hostServiceAccountOf(tenant)), tenant]));
    const declaredBy = (tenant: TenantSpec) => (file.tenants?.includes(tenant) ? 'the tenants file' : `vCluster ${tenant.hostNamespace}/${tenant.name}`);
    for (const found of this.discovery?.tenants() ?? []) {
      const where = `vCluster ${found.namespace}/${found.name}`;
      const spec = found.tenant ?? this.lastGoodDiscovered.get(found.name);
      found.issues.forEach((issue) => addIssue(found.name, issue));
      const taken = tenants.get(found.name);
      if (taken) {
        addIssue(found.name, { path: where, message: `tenant "${found.name}" is already declared by ${declaredBy(taken)}, which is used; this vCluster is not replicated` });
        continue;
      }
      // Two tenants acting as one identity would share their grants.
      const identity = spec && formatRef(hostServiceAccountOf(spec));
      const sharing = identity === undefined ? undefined : identities.get(identity);
      if (identity !== undefined && sharing) {
        addIssue(found.name, { path: where, message: `its host identity ServiceAccount ${identity} is already that of tenant "${sharing.name}" (${declaredBy(sharing)}); this vCluster is not replicated` });
        continue;
      }
      if (found.tenant) this.lastGoodDiscovered.set(found.name, found.tenant);
      if (spec && identity !== undefined) {
        tenants.set(found.name, spec);
        identities.set(identity, spec);
      }
    }
    const errors = this.discovery?.errors() ?? [];
    if (errors.join() !== this.reportedErrors) {
      if (errors.length > 0) this.logger.error({ errors }, `vCluster discovery cannot see every namespace it searches (nothing is retired meanwhile): ${errors.join('; ')}`);
      else if (this.reportedErrors) this.logger.info('vCluster discovery sees every namespace it searches again');
      this.reportedErrors = errors.join();
    }
    const complete = file.complete && (this.discovery?.synced ?? true) && errors.length === 0;
    return { tenants: [...tenants.values()], specIssues, complete };
  }

  /** The last good tenants file: a changed one that is invalid (or still being written) changes nothing. */
  private async readFileTenants(): Promise<{ tenants?: readonly TenantSpec[]; complete: boolean }> {
    const source = await this.sources.readTenantsFile();
    if (source === undefined) return { tenants: [], complete: true };
    if ('unsettled' in source) return { tenants: this.fileTenants, complete: this.fileTenants !== undefined };
    const input = 'text' in source ? source.text : JSON.stringify(source.issue);
    if (input === this.fileInput) return { tenants: this.fileTenants, complete: this.fileTenants !== undefined };
    this.fileInput = input;
    const { tenants, issues } = 'text' in source ? parseTenantsFile(source.text) : { tenants: undefined, issues: [source.issue] };
    if (!tenants) {
      this.logger.error({ issues }, `the tenants file is invalid; keeping the last good one:\n${issues.map(formatIssue).join('\n')}`);
      return { tenants: this.fileTenants, complete: this.fileTenants !== undefined };
    }
    this.fileTenants = tenants.map((tenant) => this.sources.resolvePaths(tenant));
    for (const tenant of this.fileTenants) if ('file' in tenant.config) this.watchFile(tenant.config.file);
    return { tenants: this.fileTenants, complete: true };
  }
}
