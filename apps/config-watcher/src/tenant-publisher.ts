import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import type { Subscription } from 'rxjs';
import { formatIssue, mappingKeyOf, type ConfigIssue, type PublicationPlan, type TenantPublication } from '@service-replicator/replication-config';
import {
  MAPPINGS_CHANGED,
  MappingStore,
  ReconcileQueue,
  type PublishedMappings,
  type ConfigCheck,
  type MappingsChanged,
  type PublishedTenant,
  type PublishedTenantRecord,
} from '@service-replicator/replication-queue';
import type { Fence } from '@service-replicator/leases';
import { LOGGER, type Logger } from '@service-replicator/runtime';
import { ATTR, inSpan } from '@service-replicator/telemetry';

export const ANNOUNCER = Symbol('ANNOUNCER');

/** A config check as stored, less the time it was made: what decides whether to store it again. */
export type CheckOutcome = Omit<ConfigCheck, 'checkedAt'>;

/**
 * Publishes tenants' mappings to Redis, enqueues their keys and announces them; records config
 * checks. It remembers what it published last, so that a Redis that lost its data (FLUSHALL, a
 * restart without persistence) gets it back, deadlines included, with versions that keep rising.
 */
@Injectable()
export class TenantPublisher implements OnModuleInit, OnModuleDestroy {
  private readonly remembered = new Map<string, PublishedTenant>();
  /** Keys of a publication whose enqueue has not succeeded yet: enqueued again on the next pass. */
  private readonly owedKeys = new Map<string, string>();
  /** Tenants whose announcement failed (Redis away, the transport still reconnecting): sent again on the next pass. */
  private readonly owedAnnouncements = new Set<string>();
  /** Tenants whose announcement has failed since it last got through (logged once per streak). */
  private readonly failingAnnouncements = new Set<string>();
  private highestVersion = 0;
  private statusChanges: Subscription | undefined;

  constructor(
    @Inject(MappingStore) private readonly mappings: PublishedMappings,
    @Inject(ReconcileQueue) private readonly queue: Pick<ReconcileQueue, 'enqueue'>,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(ANNOUNCER) private readonly announcer: ClientProxy,
  ) {}

  /**
   * When the announcement channel comes back after losing Redis, every tenant is announced again:
   * announcements made meanwhile were lost (pub/sub has no memory).
   */
  onModuleInit(): void {
    let connectedBefore = false;
    this.statusChanges = this.announcer.status.subscribe((status) => {
      if (status !== 'connected') return;
      if (connectedBefore) this.remembered.forEach((record, tenant) => this.announce({ tenant, version: record.version }));
      connectedBefore = true;
    });
  }

  onModuleDestroy(): void {
    this.statusChanges?.unsubscribe();
  }

  /** What this process last published for a tenant (or saw published), for when Redis lost it. */
  rememberedFor(tenant: string): PublishedTenant | undefined {
    return this.remembered.get(tenant);
  }

  rememberedTenants(): string[] {
    return [...this.remembered.keys()];
  }


  /**
   * What Redis holds, from the tenants' records (one small read per poll): a record whose version
   * is the one this process published or read last is taken as it remembers it; only others (at
   * start, or published by someone else) are read whole. Says so, and raises the version counter,
   * when Redis lost what was published.
   */
  async publishedState(records: readonly PublishedTenantRecord[]): Promise<Map<string, PublishedTenant>> {
    const published = new Map<string, PublishedTenant>();
    for (const record of records) {
      const name = record.tenant.name;
      const known = this.remembered.get(name);
      const current = known?.version === record.version ? known : await this.mappings.get(name);
      if (!current) continue;
      published.set(name, current);
      this.remembered.set(name, current);
      this.highestVersion = Math.max(this.highestVersion, current.version);
    }
    const lost = [...this.remembered.keys()].filter((tenant) => !published.has(tenant));
    if (lost.length > 0) {
      this.logger.warn({ tenants: lost }, `published mappings of ${lost.join(', ')} are missing from Redis (flushed or restarted empty); publishing them again`);
      await this.mappings.raiseVersionTo(this.highestVersion);
    }
    return published;
  }

  /** Enqueues keys and sends announcements left over from a pass in which they failed. */
  async settleOwed(): Promise<void> {
    for (const tenant of this.owedAnnouncements) {
      const record = this.remembered.get(tenant);
      this.owedAnnouncements.delete(tenant);
      if (record) this.announce({ tenant, version: record.version });
    }
    if (this.owedKeys.size === 0) return;
    const owed = [...this.owedKeys.keys()];
    await this.queue.enqueue(owed, 'config change (enqueue retried)');
    owed.forEach((key) => this.owedKeys.delete(key));
  }

  /** Each published change starts a trace, which the queue carries on to every pass it causes. */
  publish(next: TenantPublication, plan: PublicationPlan, cause: string, fence?: Fence): Promise<number> {
    const { keys } = plan;
    const tenant = next.tenant.name;
    return inSpan('config change', { [ATTR.tenant]: tenant, [ATTR.keys]: [...keys], [ATTR.cause]: cause }, async (span) => {
      const record = await this.mappings.publish(next.tenant, next.mappings, { pendingRemovals: next.pendingRemovals, retireAt: next.retireAt }, fence);
      this.remembered.set(tenant, record);
      this.highestVersion = Math.max(this.highestVersion, record.version);
      span.setAttribute('replicator.mappings.version', record.version);
      // Published: the next pass sees no difference, so keys whose enqueue fails are owed until it works.
      keys.forEach((key) => this.owedKeys.set(key, cause));
      await this.queue.enqueue(keys, cause);
      keys.forEach((key) => this.owedKeys.delete(key));
      this.announce({ tenant, version: record.version });
      this.logPublication(record, plan);
      return record.version;
    }, { root: true });
  }

  /** Stores a check whose outcome differs from the stored one, logging it once. */
  async recordCheck(outcome: CheckOutcome, stored: ConfigCheck | undefined): Promise<void> {
    if (stored && sameOutcome(stored, outcome)) return;
    const { tenant, valid, issues, warnings = [], versionInForce } = outcome;
    if (!valid) {
      const kept = versionInForce === undefined ? 'nothing is replicated for it yet' : `version ${versionInForce} stays in force`;
      this.logger.error({ tenant, issues }, `tenant ${tenant}: config is invalid; ${kept}:\n${lines(issues)}`);
    } else if (warnings.length > 0) {
      this.logger.warn({ tenant, warnings }, `tenant ${tenant}: config accepted with warnings:\n${lines(warnings)}`);
    }
    await this.mappings.recordCheck({ ...outcome, checkedAt: new Date().toISOString() });
  }

  private logPublication(record: PublishedTenant, plan: PublicationPlan): void {
    const tenant = record.tenant.name;
    const keys = (mappings: PublicationPlan['added']) => mappings.map(mappingKeyOf);
    this.logger.info(
      {
        tenant,
        version: record.version,
        added: plan.added.length,
        changed: plan.changed.length,
        removed: keys(plan.removed),
        removalsStarted: keys(plan.removalsStarted).map((key) => ({ key, removeAt: record.pendingRemovals?.[key] })),
        removalsCancelled: keys(plan.removalsCancelled),
        retireAt: record.retireAt,
      },
      `tenant ${tenant}: published mappings version ${record.version}`,
    );
  }

  private announce(change: MappingsChanged): void {
    this.announcer.emit(MAPPINGS_CHANGED, change).subscribe({
      complete: () => {
        if (this.failingAnnouncements.delete(change.tenant)) this.logger.info({ ...change }, 'announcement delivered after failing');
      },
      error: (error: unknown) => {
        this.owedAnnouncements.add(change.tenant);
        // Once per failing streak: with no watcher running yet, every pass would say it again.
        if (this.failingAnnouncements.has(change.tenant)) return;
        this.failingAnnouncements.add(change.tenant);
        this.logger.warn({ err: error, ...change }, 'announcement failed; sent again on every pass until it is delivered');
      },
    });
  }
}

function sameOutcome(stored: ConfigCheck, outcome: CheckOutcome): boolean {
  const { checkedAt: _checkedAt, ...rest } = stored;
  const normal = (check: CheckOutcome) => JSON.stringify([check.tenant, check.valid, check.issues, check.warnings ?? [], check.versionInForce ?? null]);
  return normal(rest) === normal(outcome);
}

function lines(issues: readonly ConfigIssue[]): string {
  return issues.map(formatIssue).join('\n');
}
