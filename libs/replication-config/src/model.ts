import type { ObjectRef } from '@service-replicator/references';

/** fromHost: host Service -> tenant Service. toHost: tenant Service -> host Service. */
export type Direction = 'fromHost' | 'toHost';

/** Where a secret or config value is read from in the host cluster. */
export interface HostKeyRef {
  readonly namespace: string;
  readonly name: string;
  readonly key: string;
}

/** How a tenant's host Services (toHost) reach its workload. */
export type ToHostMode = 'selector' | 'endpoints';

/** One tenant as declared in the tenants file. */
export interface TenantSpec {
  /** The tenant's name (the vCluster name); appears in labels and queue keys. */
  readonly name: string;
  /** Where the tenant's workloads run on the host. */
  readonly hostNamespace: string;
  /**
   * How to reach the tenant's API server. `server` replaces the kubeconfig's own address (a
   * discovered vCluster's kubeconfig names localhost; it is reached at its Service instead).
   */
  readonly kubeconfig: ({ readonly file: string } | { readonly secret: HostKeyRef }) & { readonly server?: string };
  /** Host namespaces besides hostNamespace that toHost targets may be written into. */
  readonly allowedHostNamespaces: readonly string[];
  /** Where the tenant's vcluster.yaml is read from. */
  readonly config: { readonly file: string } | { readonly configMap: HostKeyRef } | { readonly secret: HostKeyRef };
  /** selector (default): pods run on the host, as with vCluster. endpoints: mirror EndpointSlices. */
  readonly toHostMode: ToHostMode;
  /**
   * Take over the mirrors vCluster's own replicateServices made at this tenant's targets (label
   * `vcluster.loft.sh/controlled-by: vcluster`) instead of reporting a conflict. Absent: false.
   */
  readonly adoptVClusterMirrors?: boolean;
  /** Also write core/v1 Endpoints for selector-less mirrors, for consumers that still read them. Absent: false. */
  readonly endpoints?: boolean;
  /**
   * Host namespaces besides hostNamespace that fromHost sources may be read from. Optional here only
   * because records published before it existed lack it: read it through `sourceNamespacesOf`.
   */
  readonly fromHostNamespaces?: readonly string[];
  /**
   * The host ServiceAccount every host read and write for this tenant is made as (impersonated), so
   * the API server enforces the tenant's grants too. Read it through `hostServiceAccountOf`.
   */
  readonly hostServiceAccount?: ObjectRef;
  /** Whether a tenant ExternalName Service may become an ExternalName host Service (default false). */
  readonly allowExternalName?: boolean;
}

/** One `{from, to}` entry of a tenant's config, with both references resolved. */
export interface Mapping {
  readonly tenant: string;
  readonly direction: Direction;
  /** In the host cluster for fromHost, in the tenant cluster for toHost. */
  readonly source: ObjectRef;
  /** In the tenant cluster for fromHost, in the host cluster for toHost. */
  readonly target: ObjectRef;
}

/** A config problem, located by its path in the document (and its line when known). */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
  readonly line?: number;
}

/**
 * `policies.networkPolicy` of a tenant's vcluster.yaml, kept as the plain data it was written as:
 * the fields below are checked for shape, any other vCluster key is carried along unchecked.
 */
export interface NetworkPolicyConfig {
  readonly enabled?: boolean;
  readonly workload?: {
    readonly ingress?: readonly Readonly<Record<string, unknown>>[];
    readonly egress?: readonly Readonly<Record<string, unknown>>[];
    readonly publicEgress?: { readonly enabled?: boolean; readonly cidr?: string; readonly except?: readonly string[] };
    readonly [key: string]: unknown;
  };
  readonly [key: string]: unknown;
}

/** What this project takes from one tenant's vcluster.yaml. */
export interface TenantReplicationConfig {
  /** fromHost entries first, then toHost, each in document order. */
  readonly mappings: readonly Mapping[];
  readonly networkPolicy?: NetworkPolicyConfig;
}
