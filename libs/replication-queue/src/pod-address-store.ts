import type { RedisClient } from './redis-connection';
import { failOnError } from './mapping-store';

/** What a pass learns about some addresses: whose pods they are, if host-watcher vouches for the tenant. */
export interface PodAddressLookup {
  /** False while no watcher has listed the tenant's pods: then nothing can be said about them. */
  readonly synced: boolean;
  /** Why the watcher cannot list them (e.g. forbidden), when it said so. */
  readonly watchError?: string;
  /** The looked-up addresses that are IPs of the tenant's own pods. */
  readonly owned: ReadonlySet<string>;
}

/** Deletes the listed IPs whose field still names the pod being removed (not a successor using it). */
const REMOVE_IF_POD = `
local removed = 0
for i = 2, #ARGV do
  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[1] then removed = removed + redis.call('HDEL', KEYS[1], ARGV[i]) end
end
return removed`;

/**
 * The host IPs of each tenant's own pods (those vCluster synced into the tenant's host namespace),
 * kept by host-watcher so that a toHost pass in `endpoints` mode can keep only those addresses
 * without asking the API server. One hash per tenant, pod IP -> pod name, and one hash of synced
 * marks (tenant -> `{holder, at}` or `{error}`), as for the Service snapshots.
 */
export class PodAddressStore {
  private readonly syncedKey: string;

  constructor(private readonly redis: RedisClient, private readonly prefix: string) {
    this.syncedKey = `${prefix}:replicator:pods-synced`;
  }

  async lookup(tenant: string, addresses: readonly string[]): Promise<PodAddressLookup> {
    const [mark, pods] = await Promise.all([
      this.redis.hget(this.syncedKey, tenant),
      addresses.length > 0 ? this.redis.hmget(this.key(tenant), ...addresses) : Promise.resolve([]),
    ]);
    const parsed = mark ? (JSON.parse(mark) as { error?: string }) : undefined;
    const owned = new Set(addresses.filter((_, index) => pods[index] !== null));
    return { synced: parsed !== undefined && parsed.error === undefined, watchError: parsed?.error, owned };
  }

  /** What a fresh list of the tenant's pods says, in one go, and the tenant marked as synced by `holder`. */
  async replace(tenant: string, ipToPod: ReadonlyMap<string, string>, holder: string): Promise<void> {
    const transaction = this.redis.multi().del(this.key(tenant));
    if (ipToPod.size > 0) transaction.hset(this.key(tenant), Object.fromEntries(ipToPod));
    transaction.hset(this.syncedKey, tenant, JSON.stringify({ holder, at: new Date().toISOString() }));
    await transaction.exec().then(failOnError);
  }

  async put(tenant: string, pod: string, ips: readonly string[]): Promise<void> {
    if (ips.length > 0) await this.redis.hset(this.key(tenant), Object.fromEntries(ips.map((ip) => [ip, pod])));
  }

  async remove(tenant: string, pod: string, ips: readonly string[]): Promise<void> {
    if (ips.length > 0) await this.redis.eval(REMOVE_IF_POD, 1, this.key(tenant), pod, ...ips);
  }

  async markFailed(tenant: string, reason: string): Promise<void> {
    await this.redis.hset(this.syncedKey, tenant, JSON.stringify({ error: reason }));
  }

  /** The tenant's pods are no longer followed: its addresses and its mark go. */
  async forget(tenant: string): Promise<void> {
    await this.redis.multi().del(this.key(tenant)).hdel(this.syncedKey, tenant).exec().then(failOnError);
  }

  /** Tenants some watcher vouches for: one missing from here after it was written means Redis lost it. */
  async syncedTenants(): Promise<Set<string>> {
    const marks = await this.redis.hgetall(this.syncedKey);
    return new Set(Object.entries(marks).filter(([, mark]) => !('error' in (JSON.parse(mark) as object))).map(([tenant]) => tenant));
  }

  private key(tenant: string): string {
    return `${this.prefix}:replicator:pods:${tenant}`;
  }
}
