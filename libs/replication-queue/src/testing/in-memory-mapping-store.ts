import { mappingKeyOf, parseMappingKey, type Mapping, type TenantSpec } from '@service-replicator/replication-config';
import type { ConfigCheck, KeyLookup, PublicationExtras, PublishedMappings, PublishedTenant, PublishedTenantRecord } from '../mapping-store';

/**
 * MappingStore's semantics without Redis (unit tests): a publication replaces a tenant's mappings
 * whole, versions rise across tenants, a lookup reads one key's mapping and its tenant's record.
 */
export class InMemoryMappingStore implements PublishedMappings {
  private readonly tenants = new Map<string, PublishedTenant>();
  private readonly configChecks = new Map<string, ConfigCheck>();
  private version = 0;

  async publish(tenant: TenantSpec, mappings: readonly Mapping[], extras: PublicationExtras = {}): Promise<PublishedTenant> {
    this.version += 1;
    const sorted = [...mappings].sort((a, b) => (mappingKeyOf(a) < mappingKeyOf(b) ? -1 : 1));
    const published: PublishedTenant = { tenant, mappings: sorted, version: this.version, publishedAt: new Date().toISOString(), ...extras };
    this.tenants.set(tenant.name, published);
    return published;
  }

  async raiseVersionTo(version: number): Promise<void> {
    this.version = Math.max(this.version, version);
  }

  async remove(tenant: string): Promise<void> {
    this.tenants.delete(tenant);
  }

  async lookup(key: string): Promise<KeyLookup> {
    const parts = parseMappingKey(key);
    const published = parts && this.tenants.get(parts.tenant);
    if (!published) return {};
    return { published: recordOf(published), mapping: published.mappings.find((mapping) => mappingKeyOf(mapping) === key) };
  }

  async get(tenant: string): Promise<PublishedTenant | undefined> {
    return this.tenants.get(tenant);
  }

  async all(): Promise<PublishedTenant[]> {
    return [...this.tenants.values()];
  }

  async records(): Promise<PublishedTenantRecord[]> {
    return [...this.tenants.values()].map(recordOf);
  }

  async recordCheck(check: ConfigCheck): Promise<void> {
    this.configChecks.set(check.tenant, check);
  }

  async checks(): Promise<ConfigCheck[]> {
    return [...this.configChecks.values()];
  }

  /** Loses everything, as Redis does on FLUSHALL. */
  flush(): void {
    this.tenants.clear();
    this.configChecks.clear();
    this.version = 0;
  }
}

function recordOf({ mappings, ...record }: PublishedTenant): PublishedTenantRecord {
  return { ...record, mappingCount: mappings.length };
}
