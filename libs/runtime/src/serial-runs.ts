/**
 * Runs a piece of work one run at a time: a request while a run is in progress is served by exactly
 * one more run after it, however many requests came meanwhile (the reason of the last one is kept).
 * Work that reads the whole desired state (a reload, a config check) needs nothing more: the run
 * after sees everything the skipped requests would have.
 */
export class SerialRuns {
  private current: Promise<void> | undefined;
  private pending: Promise<void> | undefined;
  private pendingReason = '';

  constructor(private readonly work: (reason: string) => Promise<void>) {}

  /** Resolves once a run that started after this request has finished. */
  request(reason: string): Promise<void> {
    if (!this.current && !this.pending) return this.begin(reason);
    this.pendingReason = reason;
    this.pending ??= (this.current ?? Promise.resolve()).then(this.runPending, this.runPending);
    return this.pending;
  }

  /** Resolves once no run is in progress or waiting. */
  async idle(): Promise<void> {
    while (this.current || this.pending) await (this.pending ?? this.current)?.catch(() => undefined);
  }

  private readonly runPending = (): Promise<void> => {
    this.pending = undefined;
    return this.begin(this.pendingReason);
  };

  private begin(reason: string): Promise<void> {
    const run: Promise<void> = this.work(reason).finally(() => {
      if (this.current === run) this.current = undefined;
    });
    this.current = run;
    return run;
  }
}
