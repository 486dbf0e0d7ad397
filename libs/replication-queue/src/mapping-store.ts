import type { ConfigIssue, Mapping, TenantSpec } from '@service-replicator/replication-config';
import type { Redis } from 'ioredis';

/** What config-watcher last accepted for a tenant: the writer and the watchers read this. */
export interface PublishedTenant {
  readonly tenant: TenantSpec;
  readonly mappings: readonly Mapping[];
  /** Increases with every publication of any tenant. */
  readonly version: number;
  readonly publishedAt: string;
}

/** The outcome of the last read of a tenant's config, good or bad. */
export interface ConfigCheck {
  readonly tenant: string;
  readonly valid: boolean;
  readonly issues: readonly ConfigIssue[];
  /** A valid config's problems that do not stop it, e.g. a missing network-policy rule. */
  readonly warnings?: readonly ConfigIssue[];
  readonly checkedAt: string;
  /** The version in force: with an invalid config, the last good one. */
  readonly versionInForce?: number;
}

/** Mappings per tenant in one Redis hash, versioned, so every app sees one consistent picture. */
export class MappingStore {
  private readonly mappingsKey: string;
  private readonly versionKey: string;
  private readonly checksKey: string;

  constructor(private readonly redis: Redis, prefix: string) {
    this.mappingsKey = `${prefix}:replicator:mappings`;
    this.versionKey = `${prefix}:replicator:mappings-version`;
    this.checksKey = `${prefix}:replicator:config-checks`;
  }

  async publish(tenant: TenantSpec, mappings: readonly Mapping[]): Promise<PublishedTenant> {
    const version = await this.redis.incr(this.versionKey);
    const published: PublishedTenant = { tenant, mappings, version, publishedAt: new Date().toISOString() };
    await this.redis.hset(this.mappingsKey, tenant.name, JSON.stringify(published));
    return published;
  }

  async remove(tenant: string): Promise<void> {
    await this.redis.hdel(this.mappingsKey, tenant);
  }

  async get(tenant: string): Promise<PublishedTenant | undefined> {
    const raw = await this.redis.hget(this.mappingsKey, tenant);
    return raw ? (JSON.parse(raw) as PublishedTenant) : undefined;
  }

  async all(): Promise<PublishedTenant[]> {
    const raw = await this.redis.hgetall(this.mappingsKey);
    return Object.values(raw).map((value) => JSON.parse(value) as PublishedTenant);
  }

  async recordCheck(check: ConfigCheck): Promise<void> {
    await this.redis.hset(this.checksKey, check.tenant, JSON.stringify(check));
  }

  async checks(): Promise<ConfigCheck[]> {
    const raw = await this.redis.hgetall(this.checksKey);
    return Object.values(raw).map((value) => JSON.parse(value) as ConfigCheck);
  }
}
