import { mappingKeyOf, parseMappingKey, type ConfigIssue, type Mapping, type TenantSpec } from '@service-replicator/replication-config';
import { redactSecrets } from '@service-replicator/redaction';
import { FENCE_CHECK_LUA, FencedError, type Fence } from '@service-replicator/leases';
import type { Result } from 'ioredis';
import type { RedisClient } from './redis-connection';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** 1 when published; -1 when the fence no longer holds (nothing written). */
    srPublishTenant(fenceKey: string, mappingsKey: string, tenantsKey: string, holder: string, token: string, tenant: string, record: string, ...fieldsAndValues: string[]): Result<number, Context>;
  }
}

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

/** A tenant's published record without its mappings: what a pass needs besides its own mapping. */
export type PublishedTenantRecord = Omit<PublishedTenant, 'mappings'> & { readonly mappingCount: number };

/** What a pass reads for its key: the tenant in force and the key's own mapping, if any. */
export interface KeyLookup {
  readonly published?: PublishedTenantRecord;
  readonly mapping?: Mapping;
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

/** A tenant's mappings and record replaced in one step, and only while the publisher's fence holds. */
const PUBLISH_TENANT = `${FENCE_CHECK_LUA}
if ARGV[1] ~= '' and not held(KEYS[1], ARGV[1], ARGV[2]) then return -1 end
redis.call('DEL', KEYS[2])
for i = 5, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
redis.call('HSET', KEYS[3], ARGV[3], ARGV[4])
return 1`;

const RAISE_VERSION = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end
return 0`;

function definedOnly(extras: PublicationExtras): PublicationExtras {
  const pendingRemovals = extras.pendingRemovals && Object.keys(extras.pendingRemovals).length > 0 ? extras.pendingRemovals : undefined;
  return { ...(pendingRemovals && { pendingRemovals }), ...(extras.retireAt && { retireAt: extras.retireAt }) };
}

/**
 * The mappings in force, per tenant: one record per tenant (spec, version) in a hash, and one hash
 * per tenant holding each mapping under its key. A pass looks up its own key, so its cost does not
 * grow with the size of the tenant's config; a publication replaces a tenant's mappings atomically,
 * so every app sees one consistent version.
 */
export class MappingStore {
  private readonly tenantsKey: string;
  private readonly versionKey: string;
  private readonly checksKey: string;
  /** Each tenant as all() last read it (its version says whether it is still current). */
  private readonly lastRead = new Map<string, PublishedTenant>();
  private readonly recordParser = new HashParser<PublishedTenantRecord>();
  private readonly checkParser = new HashParser<ConfigCheck>();

  constructor(private readonly redis: RedisClient, private readonly prefix: string) {
    this.tenantsKey = `${prefix}:replicator:tenants`;
    this.versionKey = `${prefix}:replicator:mappings-version`;
    this.checksKey = `${prefix}:replicator:config-checks`;
    if (typeof redis.srPublishTenant !== 'function') redis.defineCommand('srPublishTenant', { numberOfKeys: 3, lua: PUBLISH_TENANT });
  }

  /**
   * Replaces a tenant's mappings and record atomically. With a `fence` (config-watcher's leadership
   * lease), only while that lease is still held: a publisher that lost it, and does not know yet,
   * publishes nothing (FencedError), so two replicas never publish versions of one tenant.
   */
  async publish(tenant: TenantSpec, mappings: readonly Mapping[], extras: PublicationExtras = {}, fence?: Fence): Promise<PublishedTenant> {
    const version = await this.redis.incr(this.versionKey);
    const published: PublishedTenant = { tenant, mappings, version, publishedAt: new Date().toISOString(), ...definedOnly(extras) };
    const record: PublishedTenantRecord = { tenant, version, publishedAt: published.publishedAt, ...definedOnly(extras), mappingCount: mappings.length };
    const mappingsKey = this.mappingsKey(tenant.name);
    const fenceArgs = fence ? [fence.key, fence.holder, String(fence.token)] : [mappingsKey, '', ''];
    const fields = mappings.flatMap((m) => [mappingKeyOf(m), JSON.stringify(m)]);
    const [fenceKey, holder, token] = fenceArgs;
    const result = await this.redis.srPublishTenant(fenceKey, mappingsKey, this.tenantsKey, holder, token, tenant.name, JSON.stringify(record), ...fields);
    if (result === -1 && fence) throw new FencedError(fence);
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
    await this.redis.multi().hdel(this.tenantsKey, tenant).del(this.mappingsKey(tenant)).exec().then(failOnError);
  }

  /** The tenant's record and the mapping of `key` (undefined when its entry is not in force). */
  async lookup(key: string): Promise<KeyLookup> {
    const parts = parseMappingKey(key);
    if (!parts) return {};
    const [record, mapping] = await Promise.all([
      this.redis.hget(this.tenantsKey, parts.tenant),
      this.redis.hget(this.mappingsKey(parts.tenant), key),
    ]);
    return { published: parseOptional<PublishedTenantRecord>(record), mapping: parseOptional<Mapping>(mapping) };
  }

  async get(tenant: string): Promise<PublishedTenant | undefined> {
    const [record, mappings] = await Promise.all([this.redis.hget(this.tenantsKey, tenant), this.redis.hgetall(this.mappingsKey(tenant))]);
    return record ? withMappings(JSON.parse(record) as PublishedTenantRecord, mappings) : undefined;
  }

  /**
   * Every published tenant with its mappings. A version's mappings never change (a publication
   * replaces them under a new version), so only the tenants published since the last call are
   * read: the watchers call this on every announcement, and 200 tenants publishing one after the
   * other would otherwise read every tenant's mappings 200 times.
   */
  async all(): Promise<PublishedTenant[]> {
    const records = await this.records();
    const stale = records.filter((record) => this.lastRead.get(record.tenant.name)?.version !== record.version);
    const mappings = await Promise.all(stale.map((record) => this.redis.hgetall(this.mappingsKey(record.tenant.name))));
    stale.forEach((record, index) => this.lastRead.set(record.tenant.name, withMappings(record, mappings[index])));
    const current = new Set(records.map((record) => record.tenant.name));
    for (const name of this.lastRead.keys()) if (!current.has(name)) this.lastRead.delete(name);
    return records.flatMap((record) => this.lastRead.get(record.tenant.name) ?? []);
  }

  /** Every published tenant without its mappings: cheap whatever the size of their configs (a record unchanged since the last call is not parsed again). */
  async records(): Promise<PublishedTenantRecord[]> {
    return this.recordParser.parse(await this.redis.hgetall(this.tenantsKey));
  }

  /** Issue messages are redacted and cut (redactSecrets) before they are stored: a config may come from a Secret. */
  async recordCheck(check: ConfigCheck): Promise<void> {
    const redacted = (issues: readonly ConfigIssue[] | undefined) => issues?.map((issue) => ({ ...issue, path: redactSecrets(issue.path, 500), message: redactSecrets(issue.message) }));
    const record: ConfigCheck = { ...check, issues: redacted(check.issues) ?? [], ...(check.warnings ? { warnings: redacted(check.warnings) } : {}) };
    await this.redis.hset(this.checksKey, check.tenant, JSON.stringify(record));
  }

  /** Every tenant's last config check (one unchanged since the last call is not parsed again). */
  async checks(): Promise<ConfigCheck[]> {
    return this.checkParser.parse(await this.redis.hgetall(this.checksKey));
  }

  private mappingsKey(tenant: string): string {
    return `${this.prefix}:replicator:mappings:${tenant}`;
  }
}

/** In key order, so every reader sees the mappings of a version in the same order. */
function withMappings(record: PublishedTenantRecord, byKey: Record<string, string>): PublishedTenant {
  const { mappingCount: _count, ...rest } = record;
  const keys = Object.keys(byKey).sort();
  return { ...rest, mappings: keys.map((key) => JSON.parse(byKey[key]) as Mapping) };
}

function parseOptional<T>(raw: string | null): T | undefined {
  return raw ? (JSON.parse(raw) as T) : undefined;
}

/** MULTI/EXEC reports a failed command in its results instead of rejecting. */
export function failOnError(results: [Error | null, unknown][] | null): void {
  const failed = results?.find(([error]) => error);
  if (failed?.[0]) throw failed[0];
  if (!results) throw new Error('Redis transaction was aborted');
}

/**
 * The values of a hash of JSON records, parsed; a value whose text is the one parsed last time is
 * not parsed again (config-watcher reads every tenant's record and check on every poll).
 */
class HashParser<T> {
  private last = new Map<string, { readonly text: string; readonly value: T }>();

  parse(hash: Readonly<Record<string, string>>): T[] {
    const next = new Map<string, { readonly text: string; readonly value: T }>();
    for (const [field, text] of Object.entries(hash)) {
      const known = this.last.get(field);
      next.set(field, known?.text === text ? known : { text, value: JSON.parse(text) as T });
    }
    this.last = next;
    return [...next.values()].map((entry) => entry.value);
  }
}
/** MappingStore's operations, for code that also runs against InMemoryMappingStore (unit tests). */
export type PublishedMappings = Pick<MappingStore, keyof MappingStore>;
