import type { Lease, LeaseStore } from './lease-store';

export interface LeaseTiming {
  /** How long a lease lives unless renewed: how soon a dead holder's leases are free. */
  readonly ttlMs: number;
  /** How often leases are renewed and free ones tried; well under ttlMs. */
  readonly renewEveryMs: number;
}

/** The lease names this replica should hold now (recomputed every round: membership may have changed). */
export type WantedLeases = () => readonly string[] | Promise<readonly string[]>;

interface Held {
  readonly lease: Lease;
  /** Until when it is surely still ours: the start of its last successful renewal plus the TTL. */
  validUntil: number;
}

/**
 * Holds the leases a replica wants: every round it renews those it holds, tries those it wants and
 * lacks, and releases those it no longer wants. One it cannot renew in time (lost, or Redis out of
 * reach for longer than a renewal) is dropped before it could expire in Redis. It says only that
 * something changed (`onChange`); what a replica does with the leases it holds is read from `held`,
 * level-triggered, so a missed change is caught by the next round.
 */
export class LeaseKeeper {
  private readonly leases = new Map<string, Held>();
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly store: LeaseStore,
    readonly holder: string,
    private readonly timing: LeaseTiming,
    private readonly wanted: WantedLeases,
    private readonly onChange: () => void,
    private readonly onError: (error: unknown) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** Runs a first round (so a free lease is held when this resolves), then one every renewEveryMs. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.runRound();
    this.timer ??= setInterval(() => void this.runRound(), this.timing.renewEveryMs);
  }

  /** The lease on `name` while this replica holds it. */
  held(name: string): Lease | undefined {
    return this.leases.get(name)?.lease;
  }

  heldNames(): string[] {
    return [...this.leases.keys()];
  }

  /** One round now (e.g. the wanted set just changed); rounds never overlap. */
  runRound(): Promise<void> {
    this.round ??= this.doRound().finally(() => (this.round = undefined));
    return this.round;
  }

  /** Stops renewing and releases every lease, so successors need not wait for them to expire. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.round;
    const held = [...this.leases.values()];
    this.leases.clear();
    await Promise.all(held.map(({ lease }) => this.store.release(lease).catch(() => false)));
    if (held.length > 0) this.onChange();
  }

  private async doRound(): Promise<void> {
    if (this.stopped) return;
    const startedAt = this.now();
    let changed = false;
    try {
      const wanted = new Set(await this.wanted());
      const results = await Promise.all([
        ...[...this.leases.keys()].map((name) => (wanted.has(name) ? this.renew(name, startedAt) : this.release(name))),
        ...[...wanted].filter((name) => !this.leases.has(name)).map((name) => this.acquire(name, startedAt)),
      ]);
      changed = results.some(Boolean);
    } catch (error) {
      this.onError(error);
    }
    // Whatever failed above: a lease not renewed in time is dropped before Redis could expire it.
    for (const [name, held] of this.leases) {
      if (this.now() < held.validUntil - this.timing.renewEveryMs) continue;
      this.leases.delete(name);
      changed = true;
    }
    if (changed && !this.stopped) this.onChange();
  }

  /** True when the lease was lost. */
  private async renew(name: string, startedAt: number): Promise<boolean> {
    const held = this.leases.get(name);
    if (!held) return false;
    if (await this.store.renew(held.lease, this.timing.ttlMs)) {
      held.validUntil = startedAt + this.timing.ttlMs;
      return false;
    }
    this.leases.delete(name);
    return true;
  }

  private async release(name: string): Promise<boolean> {
    const held = this.leases.get(name);
    this.leases.delete(name);
    if (held) await this.store.release(held.lease);
    return held !== undefined;
  }

  private async acquire(name: string, startedAt: number): Promise<boolean> {
    const lease = await this.store.acquire(name, this.holder, this.timing.ttlMs);
    if (!lease || this.stopped) return false;
    this.leases.set(name, { lease, validUntil: startedAt + this.timing.ttlMs });
    return true;
  }
}
