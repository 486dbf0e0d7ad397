import type { ConfigIssue, Mapping, TenantSpec } from '@service-replicator/replication-config';
import type { Redis } from 'ioredis';

/** What config-watcher last accepted for a tenant: the writer and the watchers read this. */
export interface PublishedTenant {
  readonly tenant: TenantSpec;
  readonly mappings: readonly Mapping[];
  /** Increases with every publication of any tenant. */
  readonly version: number;
  readonly publishedAt: string;
  /**
   * Mappings whose entry is gone from the config but whose mirrors are kept for the removal grace:
   * mapping key -> when they are removed (ISO time). They stay in `mappings` until then, so the
   * writer keeps treating them as in force; putting the entry back cancels the removal.
   */
  readonly pendingRemovals?: Readonly<Record<string, string>>;
  /** The tenant is gone from the tenants file: when its mappings are removed (ISO time). */
  readonly retireAt?: string;
}

/** The optional parts of a publication. */
export type PublicationExtras = Pick<PublishedTenant, 'pendingRemovals' | 'retireAt'>;

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

const RAISE_VERSION = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end
return 0`;

function definedOnly(extras: PublicationExtras): PublicationExtras {
  const pendingRemovals = extras.pendingRemovals && Object.keys(extras.pendingRemovals).length > 0 ? extras.pendingRemovals : undefined;
  return { ...(pendingRemovals && { pendingRemovals }), ...(extras.retireAt && { retireAt: extras.retireAt }) };
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

  async publish(tenant: TenantSpec, mappings: readonly Mapping[], extras: PublicationExtras = {}): Promise<PublishedTenant> {
    const version = await this.redis.incr(this.versionKey);
    const published: PublishedTenant = { tenant, mappings, version, publishedAt: new Date().toISOString(), ...definedOnly(extras) };
    await this.redis.hset(this.mappingsKey, tenant.name, JSON.stringify(published));
    return published;
  }

  /**
   * Makes the next version greater than `version`: after Redis lost its data (FLUSHALL, a restart
   * without persistence) versions would otherwise start again at 1, below ones already announced.
   */
  async raiseVersionTo(version: number): Promise<void> {
    await this.redis.eval(RAISE_VERSION, 1, this.versionKey, String(version));
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
