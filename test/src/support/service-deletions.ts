import { Watch, type V1Service } from '@kubernetes/client-node';
import type { ControlPlane } from '@service-replicator/control-plane-harness';
import { mutatingRequests } from './api-writes';

/**
 * Every Service deleted in a cluster while it runs, as `namespace/name`, seen by a watch: what an
 * operator would check after a config edit ("was anything of mine deleted?").
 */
export class ServiceDeletions {
  private constructor(
    private readonly controller: AbortController,
    private readonly seen: readonly string[],
    private readonly state: { stopped: boolean; endedWith?: unknown },
  ) {}

  static async watch(cluster: ControlPlane): Promise<ServiceDeletions> {
    const seen: string[] = [];
    const state: { stopped: boolean; endedWith?: unknown } = { stopped: false };
    const controller = await new Watch(cluster.kubeConfig).watch(
      '/api/v1/services',
      {},
      (phase: string, service: V1Service) => {
        if (phase === 'DELETED') seen.push(`${service.metadata?.namespace}/${service.metadata?.name}`);
      },
      (error: unknown) => {
        if (!state.stopped) state.endedWith = error ?? 'closed by the server';
      },
    );
    return new ServiceDeletions(controller, seen, state);
  }

  /** The deletions so far; throws if the watch ended, since then some may be missing. */
  names(): readonly string[] {
    if (this.state.endedWith !== undefined) throw new Error(`the watch on Services ended early: ${String(this.state.endedWith)}`);
    return [...this.seen];
  }

  stop(): void {
    this.state.stopped = true;
    this.controller.abort();
  }
}

/**
 * DELETE requests for Services the API server has answered since it started, from its own
 * /metrics (`apiserver_request_total`, summed over codes and scopes): deletes that failed count too.
 */
export async function serviceDeleteRequests(cluster: ControlPlane): Promise<number> {
  return (await mutatingRequests(cluster, ['DELETE'])).services;
}
