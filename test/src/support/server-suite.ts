import { after, before, describe } from 'node:test';
import { ProcessScope } from '@service-replicator/control-plane-harness';

/**
 * How long a server test file's suite may take in all, set-up and teardown included: generous,
 * because a CI machine may be loaded, yet a hung test fails the run instead of stalling it.
 */
export const SUITE_TIMEOUT_MS = 10 * 60_000;

/**
 * `describe` for a test file that starts processes (servers, the apps, the CLI): it fails once
 * it has run `timeoutMs`, and every process started during it (through the harness's
 * ManagedProcess or runProcess) that is still running when it ends is stopped, after the file's
 * own `after` hooks, whether its tests passed, failed or timed out. Nothing it started can keep
 * the test file alive.
 */
export function serverSuite(name: string, fn: () => void, timeoutMs = SUITE_TIMEOUT_MS): void {
  describe(name, { timeout: timeoutMs }, () => {
    let processes: ProcessScope | undefined;
    before(() => {
      processes = ProcessScope.open();
    });
    fn();
    after(() => processes?.stopAll());
  });
}
