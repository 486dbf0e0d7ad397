import { apiMessage, apiStatus, type KubeCluster } from '@service-replicator/kube';
import type { ObjectRef } from '@service-replicator/references';

/** A granted namespace is asked about again this often, so a revoked grant takes effect within it. */
const ALLOWED_FOR_MS = 5 * 60_000;
/** A refused one sooner, so a grant just added is not waited for long. */
const FORBIDDEN_FOR_MS = 60_000;
/** Answers kept at most; expired ones are dropped first. */
const MAX_ANSWERS = 10_000;

interface Answer {
  readonly forbidden?: string;
  readonly until: number;
}

/**
 * Whether a tenant's host identity may read a host namespace, proven by the API server itself.
 * Passes read sources from snapshots that host-watcher keeps under its own identity, so the
 * tenant's read grant is checked apart from them: one GET of the source Service made as the
 * tenant (a 404 proves the right as well as a 200; a 403 refuses it), and the answer is kept per
 * tenant identity and namespace for a few minutes. A steady-state pass therefore still makes no
 * API request.
 */
export class SourceAccess {
  private readonly answers = new Map<string, Answer>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Why the tenant may not read `source`, or undefined when it may. Other API errors are thrown. */
  async refusal(tenant: string, hostAsTenant: KubeCluster, source: ObjectRef): Promise<string | undefined> {
    const id = `${hostAsTenant.actingAs ?? tenant}|${source.namespace}`;
    const known = this.answers.get(id);
    if (known && known.until > this.now()) return known.forbidden;
    const forbidden = await this.ask(tenant, hostAsTenant, source);
    this.remember(id, { forbidden, until: this.now() + (forbidden === undefined ? ALLOWED_FOR_MS : FORBIDDEN_FOR_MS) });
    return forbidden;
  }

  private async ask(tenant: string, hostAsTenant: KubeCluster, source: ObjectRef): Promise<string | undefined> {
    try {
      await hostAsTenant.readService(source);
      return undefined;
    } catch (error) {
      if (apiStatus(error) !== 403) throw error;
      const who = hostAsTenant.actingAs ? ` as ${hostAsTenant.actingAs}` : '';
      return (
        `forbidden: tenant "${tenant}" may not read host namespace "${source.namespace}"; nothing is replicated from it ` +
        `(the API server refused a read${who}: ${apiMessage(error)})`
      );
    }
  }

  private remember(id: string, answer: Answer): void {
    if (this.answers.size >= MAX_ANSWERS) {
      const now = this.now();
      for (const [key, value] of this.answers) if (value.until <= now) this.answers.delete(key);
      if (this.answers.size >= MAX_ANSWERS) this.answers.clear();
    }
    this.answers.set(id, answer);
  }
}
