/**
 * What the sandbox started, stopped in reverse order: the apps before the API servers and Redis
 * they talk to, so they do not spend their last seconds logging connection errors.
 */
export class Teardown {
  private readonly steps: { readonly what: string; readonly stop: () => Promise<void> }[] = [];

  add(what: string, stop: () => Promise<void>): void {
    this.steps.push({ what, stop });
  }

  /** Runs every step even when one fails, and returns what failed. */
  async run(): Promise<string[]> {
    const failures: string[] = [];
    for (let step = this.steps.pop(); step; step = this.steps.pop()) {
      await step.stop().catch((error: unknown) => failures.push(`stopping ${step?.what}: ${String(error)}`));
    }
    return failures;
  }
}
