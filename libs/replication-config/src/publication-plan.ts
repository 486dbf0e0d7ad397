import { mappingKeyOf } from './mapping-key';
import type { Mapping, TenantSpec } from './model';

/** What a tenant's published record says, as far as deciding the next publication goes. */
export interface TenantPublication {
  readonly tenant: TenantSpec;
  /** Every mapping in force, those waiting out their removal grace included. */
  readonly mappings: readonly Mapping[];
  /** Mapping key -> when its mirrors are removed (ISO time); the entry is gone from the config. */
  readonly pendingRemovals?: Readonly<Record<string, string>>;
  /** The tenant is gone from the tenants file: when its mappings are removed (ISO time). */
  readonly retireAt?: string;
}

export interface PublicationPlan {
  /** What to publish; undefined when what is published is already right. */
  readonly next?: TenantPublication;
  /** Keys to reconcile once `next` is published. */
  readonly keys: readonly string[];
  readonly added: readonly Mapping[];
  readonly changed: readonly Mapping[];
  /** Past their grace: published away now, so their mirrors go. */
  readonly removed: readonly Mapping[];
  /** Whose grace starts now. */
  readonly removalsStarted: readonly Mapping[];
  /** Put back during their grace: their mirrors stay. */
  readonly removalsCancelled: readonly Mapping[];
}

export interface TenantInput {
  /** What Redis holds for the tenant; undefined when nothing (never published, or Redis lost it). */
  readonly published?: TenantPublication;
  /**
   * What this config-watcher last published for the tenant, when Redis no longer holds it
   * (FLUSHALL, a restart without persistence): decisions go on from it, deadlines included, and
   * it is published again even where nothing changed.
   */
  readonly remembered?: TenantPublication;
  readonly tenant: TenantSpec;
  /** The entries of the tenant's good config: the one just read, or the last one accepted. */
  readonly mappings: readonly Mapping[];
  readonly now: number;
  readonly graceMs: number;
  readonly retireAt?: string;
}

/**
 * The next publication of a tenant, level-triggered: it compares what should be in force with
 * what Redis holds, so an unchanged config is published again when Redis lost it, and a restart
 * changes nothing. A mapping whose entry is gone stays published until its deadline (a deadline
 * already recorded is kept: a restart never shortens a grace), then is removed and its key
 * reconciled; an entry put back before then cancels the removal.
 */
export function planTenant(input: TenantInput): PublicationPlan {
  const { published, tenant, mappings } = input;
  const base = published ?? input.remembered;
  const wanted = byKey(mappings);
  const before = byKey(base?.mappings ?? []);
  const pendingBefore = base?.pendingRemovals ?? {};
  const edits = compareEntries(wanted, before, pendingBefore);
  const removals = applyGrace(wanted, before, pendingBefore, input);
  const next: TenantPublication = { tenant, mappings: [...mappings, ...removals.kept], ...extras(removals.pendingRemovals, input.retireAt) };
  // A changed tenant (kubeconfig, host namespace, mode) can change every mirror; a Redis that
  // lost the published state lost the queue with it.
  const specChanged = base !== undefined && JSON.stringify(base.tenant) !== JSON.stringify(tenant);
  const lost = published === undefined && input.remembered !== undefined;
  const touched = specChanged || lost ? [...next.mappings, ...removals.removed] : [...edits.added, ...edits.changed, ...removals.removed];
  return {
    ...edits,
    removed: removals.removed,
    removalsStarted: removals.started,
    next: published !== undefined && samePublication(published, next) ? undefined : next,
    keys: [...new Set(touched.map(mappingKeyOf))],
  };
}

function byKey(mappings: readonly Mapping[]): Map<string, Mapping> {
  return new Map(mappings.map((mapping) => [mappingKeyOf(mapping), mapping]));
}

/** Entries new to what is published, changed from it, or put back during their grace. */
function compareEntries(wanted: Map<string, Mapping>, before: Map<string, Mapping>, pendingBefore: Readonly<Record<string, string>>) {
  const added: Mapping[] = [];
  const changed: Mapping[] = [];
  const removalsCancelled: Mapping[] = [];
  for (const [key, mapping] of wanted) {
    const previous = before.get(key);
    if (previous === undefined) added.push(mapping);
    else if (JSON.stringify(previous) !== JSON.stringify(mapping)) changed.push(mapping);
    if (previous !== undefined && Object.hasOwn(pendingBefore, key)) removalsCancelled.push(mapping);
  }
  return { added, changed, removalsCancelled };
}

/** Published mappings no longer wanted: kept with their deadline (the recorded one, else now + grace), or removed once it passed. */
function applyGrace(wanted: Map<string, Mapping>, before: Map<string, Mapping>, pendingBefore: Readonly<Record<string, string>>, input: TenantInput) {
  const kept: Mapping[] = [];
  const removed: Mapping[] = [];
  const started: Mapping[] = [];
  const pendingRemovals: Record<string, string> = {};
  for (const [key, mapping] of before) {
    if (wanted.has(key)) continue;
    const recorded = Object.hasOwn(pendingBefore, key) && !Number.isNaN(Date.parse(pendingBefore[key]));
    if (!recorded) started.push(mapping);
    const removeAt = recorded ? pendingBefore[key] : new Date(input.now + input.graceMs).toISOString();
    if (Date.parse(removeAt) <= input.now) {
      removed.push(mapping);
    } else {
      kept.push(mapping);
      pendingRemovals[key] = removeAt;
    }
  }
  return { kept, removed, started, pendingRemovals };
}

/**
 * A tenant's next publication after its config was read: the config's entries when it was
 * accepted; when it was refused (`mappings` undefined), the last good config stays in force as
 * published (only removal deadlines move on). Undefined when there is nothing to do.
 */
export function planFromConfig(input: Omit<TenantInput, 'mappings' | 'retireAt'> & { readonly mappings?: readonly Mapping[] }): PublicationPlan | undefined {
  const { mappings } = input;
  if (mappings !== undefined) return planTenant({ ...input, mappings });
  const base = input.published ?? input.remembered;
  if (base === undefined) return undefined;
  return planTenant({ ...input, tenant: base.tenant, mappings: mappingsInForce(base) });
}

/**
 * A tenant gone from the tenants file: its mappings stay in force for the grace (a tenant cut off
 * by a half-written file comes back before it ends), then are all removed.
 */
export function planRetirement(input: Pick<TenantInput, 'published' | 'remembered' | 'now' | 'graceMs'>): PublicationPlan | undefined {
  const base = input.published ?? input.remembered;
  if (base === undefined) return undefined;
  const common = { ...input, tenant: base.tenant };
  if (base.mappings.length === 0 && base.retireAt === undefined) return planTenant({ ...common, mappings: [] });
  const retireAt = base.retireAt ?? new Date(input.now + input.graceMs).toISOString();
  if (Date.parse(retireAt) <= input.now) return planTenant({ ...common, mappings: [], graceMs: 0 });
  return planTenant({ ...common, mappings: mappingsInForce(base), retireAt });
}

/** The entries of the last good config: what is published, less what is waiting to be removed. */
export function mappingsInForce(published: TenantPublication): Mapping[] {
  const pending = published.pendingRemovals ?? {};
  return published.mappings.filter((mapping) => !Object.hasOwn(pending, mappingKeyOf(mapping)));
}

/** The earliest removal deadline of a publication (ms), for looking again right then. */
export function nextDeadline(publication: TenantPublication): number | undefined {
  const deadlines = [...Object.values(publication.pendingRemovals ?? {}), ...(publication.retireAt ? [publication.retireAt] : [])].map(Date.parse);
  return deadlines.length === 0 ? undefined : Math.min(...deadlines);
}

function extras(pendingRemovals: Record<string, string>, retireAt: string | undefined): Pick<TenantPublication, 'pendingRemovals' | 'retireAt'> {
  return { ...(Object.keys(pendingRemovals).length > 0 && { pendingRemovals }), ...(retireAt !== undefined && { retireAt }) };
}

function samePublication(a: TenantPublication, b: TenantPublication): boolean {
  const canonical = (p: TenantPublication) =>
    JSON.stringify([
      p.tenant,
      p.mappings.map((mapping) => JSON.stringify(mapping)).sort(),
      Object.entries(p.pendingRemovals ?? {}).sort(([x], [y]) => x.localeCompare(y)),
      p.retireAt ?? null,
    ]);
  return canonical(a) === canonical(b);
}
