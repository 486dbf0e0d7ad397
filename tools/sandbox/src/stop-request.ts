export interface StopReason {
  readonly exitCode: number;
  readonly message: string;
}

/** Why the sandbox ends; the first reason given wins (Ctrl-C during a timeout is still a timeout). */
export class StopRequest {
  private reason: StopReason | undefined;
  private resolve!: (reason: StopReason) => void;
  readonly requested = new Promise<StopReason>((resolve) => (this.resolve = resolve));

  request(exitCode: number, message: string): void {
    if (this.reason) return;
    this.reason = { exitCode, message };
    this.resolve(this.reason);
  }

  get isRequested(): boolean {
    return this.reason !== undefined;
  }

  /** Between start-up steps: stop starting more once the user has asked to stop. */
  throwIfRequested(): void {
    if (this.reason) throw new StopDuringStartup(this.reason.message);
  }
}

export class StopDuringStartup extends Error {
  override readonly name = 'StopDuringStartup';
}
