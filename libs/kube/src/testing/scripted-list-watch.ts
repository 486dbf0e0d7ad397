import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import type { InformerClock, ListWatchLike } from '../restarting-informer';

type Callback = (argument: never) => void;

/**
 * client-node's ListWatch, scripted: each start() takes the next outcome (`ok`: it lists and
 * watches; an error: it fails), and fail() breaks a running watch as a dropped connection does.
 */
export class ScriptedListWatch<T extends KubernetesObject> implements ListWatchLike<T> {
  private readonly callbacks = new Map<string, Callback[]>();
  private readonly outcomes: ('ok' | Error)[] = [];
  starts = 0;
  stops = 0;

  constructor(private readonly listObjects: () => Promise<KubernetesListObject<T>>) {}

  /** The outcomes of the next starts, in order; once they run out, starts succeed. */
  script(...outcomes: ('ok' | Error)[]): this {
    this.outcomes.push(...outcomes);
    return this;
  }

  on(verb: string, callback: Callback): void {
    this.callbacks.set(verb, [...(this.callbacks.get(verb) ?? []), callback]);
  }

  off(verb: string, callback: Callback): void {
    this.callbacks.set(verb, (this.callbacks.get(verb) ?? []).filter((known) => known !== callback));
  }

  async start(): Promise<void> {
    this.starts += 1;
    const outcome = this.outcomes.shift() ?? 'ok';
    if (outcome !== 'ok') throw outcome;
    await this.listObjects();
  }

  async stop(): Promise<void> {
    this.stops += 1;
  }

  /** The watch breaks (client-node then stops and reports the error). */
  fail(error: Error): void {
    for (const callback of this.callbacks.get('error') ?? []) (callback as (error: Error) => void)(error);
  }

  get(): T | undefined {
    return undefined;
  }

  list(): T[] {
    return [];
  }

  latestResourceVersion(): string {
    return '1';
  }
}

/** Time that moves only when a test says so; timers due by then run in order. */
export class FakeClock implements InformerClock {
  private time = 0;
  private readonly timers = new Map<number, { at: number; callback: () => void }>();
  private nextId = 1;

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): number {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + ms, callback });
    return id;
  }

  clearTimeout(timer: unknown): void {
    this.timers.delete(timer as number);
  }

  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, running each timer due on the way (and letting the work it starts settle). */
  async advance(ms: number): Promise<void> {
    const until = this.time + ms;
    for (;;) {
      const due = [...this.timers].filter(([, timer]) => timer.at <= until).sort(([, a], [, b]) => a.at - b.at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = due[1].at;
      due[1].callback();
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.time = until;
  }
}
