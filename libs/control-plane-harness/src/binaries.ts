import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';

/** The repository root, found from this file's place in libs/control-plane-harness/dist. */
export const repoRoot = resolve(__dirname, '../../..');

let cached: string | undefined;

/**
 * The folder with etcd, kube-apiserver and kube-controller-manager: KUBEBUILDER_ASSETS when it
 * holds them, else the versioned build cache, building it on first use (tools/controlplane).
 */
export function controlPlaneBinaries(): string {
  cached ??= execFileSync('bash', [join(repoRoot, 'tools/controlplane/ensure-binaries.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  return cached;
}
