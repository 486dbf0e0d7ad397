import { createHash } from 'node:crypto';
import { Agent, type AgentOptions, type RequestOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import { createSecureContext, type SecureContext } from 'node:tls';
import { KubeConfig, type RequestContext } from '@kubernetes/client-node';

/**
 * An https.Agent whose connections all use one TLS context per TLS identity, made at the first
 * connection: without it every connection parses the CA, the client certificate and its key again
 * (about 7 ms of CPU each; a tenant-watcher opening 400 watches spent 3 s on it).
 */
class SharedContextAgent extends Agent {
  constructor(options: AgentOptions, private readonly context: () => SecureContext) {
    super(options);
  }

  override createConnection(options: RequestOptions, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    // tls.connect takes the context as it is (and then ignores ca, cert and key); RequestOptions' type omits it.
    const withContext: RequestOptions & { secureContext: SecureContext } = { ...options, secureContext: this.context() };
    return super.createConnection(withContext, callback);
  }
}

/**
 * Keep-alive agents shared by every KubeConfig of a process, one per API server and TLS identity,
 * each with at most `maxSockets` sockets: tenants whose kubeconfigs reach the same API server as the
 * same identity (or by token, which travels in a header) share one agent and its sockets, however
 * many tenants there are. Watches do not go through these agents (each holds a connection of its own).
 */
export class AgentPool {
  private readonly agents = new Map<string, Agent>();
  private readonly contexts = new Map<string, SecureContext>();

  constructor(readonly maxSockets = 16) {}

  agentFor(server: string, options: AgentOptions): Agent {
    const identity = tlsIdentity(server, options);
    let pooled = this.agents.get(identity);
    if (!pooled) {
      pooled = new SharedContextAgent({ ...options, keepAlive: true, maxSockets: this.maxSockets }, () => this.contextFor(identity, options));
      this.agents.set(identity, pooled);
    }
    return pooled;
  }

  /**
   * An agent for one watch: a connection of its own (a watch holds it for minutes), with the TLS
   * context of its API server and identity shared with every other connection there.
   */
  watchAgentFor(server: string, options: AgentOptions): Agent {
    const identity = tlsIdentity(server, options);
    return new SharedContextAgent(options, () => this.contextFor(identity, options));
  }

  private contextFor(identity: string, options: AgentOptions): SecureContext {
    let context = this.contexts.get(identity);
    if (!context) {
      const { ca, cert, key, pfx, passphrase } = options;
      context = createSecureContext({ ca, cert, key, pfx, passphrase });
      this.contexts.set(identity, context);
    }
    return context;
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
  /** The last request's TLS parts and the pool's agent for them: most requests need no lookup. */
  private last?: { readonly parts: readonly unknown[]; readonly agent: Agent };

  constructor(private readonly pool: AgentPool = DEFAULT_AGENT_POOL) {
    super();
  }

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const agent = context.getAgent();
    if (!(agent instanceof Agent) || agent.constructor !== Agent) return; // proxies keep their own agents
    const server = this.getCurrentCluster()?.server ?? '';
    // Comparing the parts is a few memcmps; the pool's identity (a SHA-256 over the certificates)
    // was ~2% of the writer's CPU when computed for every request.
    const parts = [server, ...tlsParts(agent.options)];
    if (!this.last || !sameParts(this.last.parts, parts)) this.last = { parts, agent: this.pool.agentFor(server, agent.options) };
    context.setAgent(this.last.agent);
  }

  /** What client-node's Watch (and only it, here) asks for: a connection per watch, the TLS context shared. */
  override async applyToHTTPSOptions(opts: Parameters<KubeConfig['applyToHTTPSOptions']>[0]): Promise<void> {
    await super.applyToHTTPSOptions(opts);
    const agent = (opts as RequestOptions).agent;
    if (!(agent instanceof Agent) || agent.constructor !== Agent) return;
    (opts as RequestOptions).agent = this.pool.watchAgentFor(this.getCurrentCluster()?.server ?? '', agent.options);
  }
}

/** What tells TLS identities apart: the server and everything of the options that goes into the handshake. */
function tlsIdentity(server: string, options: AgentOptions): string {
  return createHash('sha256')
    .update(JSON.stringify([server, ...tlsParts(options).map((part) => part?.toString() ?? null)]))
    .digest('hex');
}

function tlsParts(options: AgentOptions): readonly unknown[] {
  const { ca, cert, key, pfx, passphrase, rejectUnauthorized, servername } = options;
  return [ca, cert, key, pfx, passphrase, rejectUnauthorized, servername];
}

function sameParts(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((part, i) => (Buffer.isBuffer(part) && Buffer.isBuffer(b[i]) ? part.equals(b[i]) : part === b[i]));
}
