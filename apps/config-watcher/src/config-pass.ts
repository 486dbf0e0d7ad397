import { Inject, Injectable } from '@nestjs/common';
import type { Fence } from '@service-replicator/leases';
import {
  networkPolicyWarnings,
  nextDeadline,
  parseTenantConfig,
  planFromConfig,
  planRetirement,
  type ConfigIssue,
  type TenantSpec,
} from '@service-replicator/replication-config';
import { MappingStore, type ConfigCheck, type PublishedMappings, type PublishedTenant } from '@service-replicator/replication-queue';
import { LOGGER, Settings, tenantLimits, type Logger } from '@service-replicator/runtime';
import { ConfigSources, type SourceText } from './config-sources';
import { TENANT_IDENTITIES } from './config-sources.providers';
import type { TenantIdentities } from './tenant-identities';
import { TenantPublisher } from './tenant-publisher';
import { TenantSources, type TenantList } from './tenant-sources';

type ParseResult = ReturnType<typeof parseTenantConfig>;

/** Problems of a tenant besides its config's: its spec's (a discovered vCluster's annotations), its identity's grants. */
interface TenantIssues {
  readonly spec: readonly ConfigIssue[];
  readonly identity: readonly ConfigIssue[];
}

/** What Redis holds, read once per pass. */
interface RedisState {
  readonly published: ReadonlyMap<string, PublishedTenant>;
  readonly checks: ReadonlyMap<string, ConfigCheck>;
}

/**
 * One config pass: reads the tenants and every tenant's vcluster.yaml and makes what Redis holds
 * match them (level-triggered: nothing is marked handled, so a failed pass is simply done again,
 * and state Redis lost is published again). An invalid config changes nothing: the last good one
 * stays in force. A removed entry (or tenant) stays in force for REMOVAL_GRACE_SECONDS.
 */
@Injectable()
export class ConfigPass {
  /**
   * Parse results by tenant, with the input they came from, compared as it is (an unchanged
   * ConfigMap's text is the same string every pass; hashing it read the whole text of every tenant
   * on every pass: a third of config-watcher's CPU with 200 tenants), and a number that changes with
   * it: an unchanged config is not parsed again.
   */
  private readonly parsed = new Map<string, { readonly tenant: TenantSpec; readonly spec: string; readonly text: string; readonly input: number; readonly result: ParseResult }>();
  private inputs = 0;
  /** Per tenant, the decision key of its last plan that found nothing to publish. */
  private readonly settled = new Map<string, string>();

  constructor(
    private readonly settings: Settings,
    private readonly sources: ConfigSources,
    private readonly tenantSources: TenantSources,
    @Inject(MappingStore) private readonly mappings: PublishedMappings,
    private readonly publisher: TenantPublisher,
    @Inject(LOGGER) private readonly logger: Logger,
    /** Grants for the identities config-watcher provisions (DISCOVERY_TENANT_CLUSTER_ROLES set), else null. */
    @Inject(TENANT_IDENTITIES) private readonly identities: TenantIdentities | null = null,
  ) {}

  /** Publications are fenced by the leader lease's token. Returns when a removal grace ends next (ms since epoch), if one does. */
  async run(reason: string, fence: Fence): Promise<number | undefined> {
    const list = await this.tenantSources.read();
    const { tenants } = list;
    // Files are read concurrently: one settle time per pass, not one per tenant.
    const [sources, state] = await Promise.all([Promise.all(tenants.map((tenant) => this.sources.readTenantConfig(tenant))), this.readRedis()]);
    await this.publisher.settleOwed();
    // Grants first: a tenant's first pass, as its identity, must find them.
    const identityIssues = (await this.identities?.provision(tenants, state.published, fence.token)) ?? new Map<string, ConfigIssue[]>();
    for (const [index, tenant] of tenants.entries()) {
      const issues = { spec: list.specIssues.get(tenant.name) ?? [], identity: identityIssues.get(tenant.name) ?? [] };
      await this.checkTenant(tenant, sources[index], state, reason, issues, fence);
    }
    await this.reportUnbuiltTenants(list, state);
    if (list.complete) await this.retireRemovedTenants(tenants, state, fence);
    return this.nextDeadline();
  }

  /** A removal grace that ends between two polls is acted on when it ends, not at the next poll. */
  private nextDeadline(): number | undefined {
    const deadlines = this.publisher.rememberedTenants().flatMap((tenant) => {
      const record = this.publisher.rememberedFor(tenant);
      const deadline = record && nextDeadline(record);
      return deadline === undefined ? [] : [deadline];
    });
    return deadlines.length === 0 ? undefined : Math.min(...deadlines);
  }

  /** A discovered vCluster whose tenant could not be built at all (never good): its issues are its check. */
  private async reportUnbuiltTenants(list: TenantList, state: RedisState): Promise<void> {
    const built = new Set(list.tenants.map((tenant) => tenant.name));
    for (const [tenant, issues] of list.specIssues) {
      if (!built.has(tenant)) await this.publisher.recordCheck({ tenant, valid: false, issues, warnings: [] }, state.checks.get(tenant));
    }
  }

  /** Cheap on every poll: the tenants' records and checks; mappings only where they are not known already. */
  private async readRedis(): Promise<RedisState> {
    const [records, checks] = await Promise.all([this.mappings.records(), this.mappings.checks()]);
    return { published: await this.publisher.publishedState(records), checks: new Map(checks.map((c) => [c.tenant, c])) };
  }

  private async checkTenant(tenant: TenantSpec, source: SourceText, state: RedisState, reason: string, tenantIssues: TenantIssues, fence: Fence): Promise<void> {
    if ('unsettled' in source) return this.logger.debug({ tenant: tenant.name }, source.unsettled);
    const result = this.parse(tenant, source);
    const published = state.published.get(tenant.name);
    const { spec: specIssues, identity: identityIssues } = tenantIssues;
    // Planning compares every mapping (O(size of the config)); on a poll that finds the same config,
    // the same published version and no deadline due, the last plan (which found nothing to do) stands.
    const settledOn = this.settledDecision(tenant.name, published, [...specIssues, ...identityIssues]);
    if (settledOn !== undefined && this.settled.get(tenant.name) === settledOn) return;
    const plan = planFromConfig({ ...this.decisionInput(tenant.name, published), tenant, mappings: result.config?.mappings });
    if (settledOn !== undefined) {
      if (plan?.next === undefined) this.settled.set(tenant.name, settledOn);
      else this.settled.delete(tenant.name);
    }
    const version = plan?.next ? await this.publisher.publish(plan.next, plan, `config ${reason}`, fence) : published?.version;
    // A tenant identity without its grants is refused by the API server (403): a warning, the config is good.
    const warnings: ConfigIssue[] = [...identityIssues, ...(result.config ? networkPolicyWarnings(result.config.networkPolicy, result.config.mappings, tenant) : [])];
    // A spec problem (a discovered vCluster's bad annotation, a clashing name) is reported with the
    // config's own issues; the spec in force is the last good one.
    const issues = [...specIssues, ...result.issues];
    const outcome = { tenant: tenant.name, valid: result.config !== undefined && specIssues.length === 0, issues, warnings, versionInForce: version };
    await this.publisher.recordCheck(outcome, state.checks.get(tenant.name));
  }

  /**
   * What a tenant's plan (and its recorded check) depends on, as a key: the parsed input, the
   * published version, the spec's own issues and whether a removal deadline is due. Undefined when
   * nothing is published (Redis lost it, or never): then every poll plans.
   */
  private settledDecision(tenant: string, published: PublishedTenant | undefined, specIssues: readonly ConfigIssue[]): string | undefined {
    const parsed = this.parsed.get(tenant);
    if (!parsed || !published) return undefined;
    const deadline = nextDeadline(published);
    if (deadline !== undefined && deadline <= Date.now()) return undefined;
    return `${parsed.input}|${published.version}|${JSON.stringify(specIssues)}`;
  }

  private parse(tenant: TenantSpec, source: Exclude<SourceText, { unsettled: string }>): ParseResult {
    // A NUL cannot start a YAML text, so a read failure never compares equal to a config.
    const text = 'text' in source ? source.text : `\u0000${JSON.stringify(source.issue)}`;
    const cached = this.parsed.get(tenant.name);
    // The tenant sources hand out the same spec object while it is unchanged: serialised only when it is another.
    if (cached?.text === text && cached.tenant === tenant) return cached.result;
    const spec = JSON.stringify(tenant);
    if (cached?.text === text && cached.spec === spec) {
      // The same spec in a new object: remember the object, so the next pass compares by identity again.
      this.parsed.set(tenant.name, { ...cached, tenant });
      return cached.result;
    }
    const result = 'text' in source ? parseTenantConfig(source.text, tenant, tenantLimits(this.settings)) : { issues: [source.issue] };
    this.parsed.set(tenant.name, { tenant, spec, text, input: ++this.inputs, result });
    return result;
  }

  /** A tenant gone from the tenants file (or no longer discovered) keeps its mappings for the grace, then they are removed. */
  private async retireRemovedTenants(tenants: readonly TenantSpec[], state: RedisState, fence: Fence): Promise<void> {
    const names = new Set(tenants.map((tenant) => tenant.name));
    const gone = new Set([...state.published.keys(), ...this.publisher.rememberedTenants()].filter((name) => !names.has(name)));
    for (const name of gone) {
      const plan = planRetirement(this.decisionInput(name, state.published.get(name)));
      const next = plan?.next;
      if (!plan || !next) continue;
      if (next.retireAt && !state.published.get(name)?.retireAt) {
        this.logger.warn({ tenant: name, retireAt: next.retireAt }, `tenant ${name} is gone (tenants file, discovery); its mappings are removed at ${next.retireAt} unless it comes back`);
      }
      await this.publisher.publish(next, plan, 'tenant removed', fence);
    }
  }

  private decisionInput(tenant: string, published: PublishedTenant | undefined) {
    return { published, remembered: this.publisher.rememberedFor(tenant), now: Date.now(), graceMs: this.settings.REMOVAL_GRACE_SECONDS * 1_000 };
  }
}
