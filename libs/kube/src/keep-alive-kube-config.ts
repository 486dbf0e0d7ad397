import { createHash } from 'node:crypto';
import { Agent, type AgentOptions } from 'node:https';
import { KubeConfig, type RequestContext } from '@kubernetes/client-node';

/**
 * Keep-alive agents shared by every KubeConfig of a process, one per API server and TLS identity,
 * each with at most `maxSockets` sockets: tenants whose kubeconfigs reach the same API server as the
 * same identity (or by token, which travels in a header) share one agent and its sockets, however
 * many tenants there are. Watches do not go through these agents (each holds a connection of its own).
 */
export class AgentPool {
  private readonly agents = new Map<string, Agent>();

  constructor(readonly maxSockets = 16) {}

  agentFor(server: string, options: AgentOptions): Agent {
    const { ca, cert, key, pfx, passphrase, rejectUnauthorized, servername } = options;
    const identity = createHash('sha256')
      .update(JSON.stringify([server, ...[ca, cert, key, pfx, passphrase, rejectUnauthorized, servername].map((part) => part?.toString() ?? null)]))
      .digest('hex');
    let pooled = this.agents.get(identity);
    if (!pooled) {
      pooled = new Agent({ ...options, keepAlive: true, maxSockets: this.maxSockets });
      this.agents.set(identity, pooled);
    }
    return pooled;
  }

  /** How many agents (API server and TLS identity pairs) the pool holds. */
  get size(): number {
    return this.agents.size;
  }
}

/** The process's pool, unless a caller brings its own (tests, a different socket bound). */
export const DEFAULT_AGENT_POOL = new AgentPool();

/**
 * client-node builds a new https.Agent for every request, so every API call pays a TCP connect
 * and a full TLS handshake (client certificate included): about 6 ms of a 7 ms GET against a
 * local API server. This KubeConfig hands every request the pool's keep-alive agent for its API
 * server and TLS identity instead. A rotated certificate or CA gives different options, so a new agent.
 */
export class KeepAliveKubeConfig extends KubeConfig {
  constructor(private readonly pool: AgentPool = DEFAULT_AGENT_POOL) {
    super();
  }

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const agent = context.getAgent();
    if (!(agent instanceof Agent) || agent.constructor !== Agent) return; // proxies keep their own agents
    context.setAgent(this.pool.agentFor(this.getCurrentCluster()?.server ?? '', agent.options));
  }
}
