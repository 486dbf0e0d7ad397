import { Injectable } from '@nestjs/common';

/** True when the part of the app it checks can do its work now (Redis answers, informers synced). */
export type ReadinessCheck = () => boolean | Promise<boolean>;

/**
 * What /health/ready asks. Each app adds the checks for what it depends on as it starts; with
 * none added yet the app is ready, which it is only once Nest has started every module.
 */
@Injectable()
export class Readiness {
  private readonly checks = new Map<string, ReadinessCheck>();

  add(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  /** Every check's answer; a check that throws counts as not ready. */
  async results(): Promise<[name: string, ready: boolean][]> {
    return Promise.all([...this.checks].map(async ([name, check]) => [name, await Promise.resolve().then(check).catch(() => false)] as [string, boolean]));
  }
}
