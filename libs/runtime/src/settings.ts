import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import { getMetadataStorage, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';
import { redisAddressErrors } from './redis-address';
import { unreadableTlsFiles } from './redis-target';

/** A comma-separated list of namespaces (DNS-1123 labels), no spaces. */
const NAMESPACE_LIST = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(,[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));

/**
 * Every setting the processes take from their environment. This file is the only place that reads
 * `process.env`; a bad value stops the process at start with a message naming the variable.
 */
export class Settings {
  /**
   * Redis for the queue, the published mappings and the apps' announcements:
   * `redis[s]://[user:password@]host[:port][/db]`. With REDIS_SENTINELS or REDIS_CLUSTER_NODES it
   * gives only the credentials, the database (Sentinel) and TLS (`rediss://`); its host is not used.
   */
  @IsString()
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** PEM file of the CA that signed Redis's certificate (`rediss://`); unset: the system's trusted CAs. */
  @IsOptional()
  @IsString()
  REDIS_TLS_CA_FILE?: string;

  /** PEM client certificate for Redis servers that require one (`tls-auth-clients yes`), with REDIS_TLS_KEY_FILE. */
  @IsOptional()
  @IsString()
  REDIS_TLS_CERT_FILE?: string;

  @IsOptional()
  @IsString()
  REDIS_TLS_KEY_FILE?: string;

  /** Redis Sentinel: `host:port,host:port` of the sentinels; the master is the one they name REDIS_SENTINEL_MASTER. */
  @IsOptional()
  @IsString()
  REDIS_SENTINELS?: string;

  @IsOptional()
  @IsString()
  REDIS_SENTINEL_MASTER?: string;

  /** The sentinels' own credentials (their `requirepass` or an ACL user), when they have any. */
  @IsOptional()
  @IsString()
  REDIS_SENTINEL_USERNAME?: string;

  @IsOptional()
  @IsString()
  REDIS_SENTINEL_PASSWORD?: string;

  /** Redis Cluster: `host:port,...` of some of its nodes (the rest are discovered). QUEUE_PREFIX must hold a hash tag. */
  @IsOptional()
  @IsString()
  REDIS_CLUSTER_NODES?: string;

  /** Prefix of every Redis key we write, so several deployments can share one Redis. */
  @IsString()
  QUEUE_PREFIX = 'sr';

  /** Kubeconfig of the host cluster; unset means in-cluster, then the default kubeconfig. */
  @IsOptional()
  @IsString()
  HOST_KUBECONFIG?: string;

  /** The tenants file (config-watcher); optional when DISCOVERY_NAMESPACES is set. */
  @IsOptional()
  @IsString()
  TENANTS_FILE?: string;

  /**
   * Discovery mode (config-watcher): the host namespaces searched for vCluster installations
   * (comma-separated), or `*` for all namespaces (which needs cluster-wide list/watch on Secrets).
   * Unset: no discovery, only the tenants file.
   */
  @IsOptional()
  @Matches(/^(\*|[a-z0-9]([-a-z0-9]*[a-z0-9])?(,[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)$/, {
    message: 'must be * or a comma-separated list of namespaces (DNS-1123 labels, no spaces)',
  })
  DISCOVERY_NAMESPACES?: string;

  /** Discovery: a label selector the vCluster Secrets must also match (beside `app=vcluster`), e.g. `team=platform`. */
  @IsOptional()
  @IsString()
  DISCOVERY_LABEL_SELECTOR?: string;

  /**
   * Discovery: the address a vCluster is reached at when its kubeconfig names localhost (vCluster's
   * default, `https://localhost:8443`); `{name}` and `{namespace}` are the vCluster's. The default is
   * its Service in the host cluster, a name its certificate carries.
   */
  @Matches(/^https:\/\/\S+$/, { message: 'must be an https:// address (with {name} and {namespace} where they go)' })
  DISCOVERY_SERVER = 'https://{name}.{namespace}:443';

  /**
   * Discovery: the host namespace where discovered tenants' host identities live (ServiceAccount
   * `tenant-<name>` unless the vCluster's annotation names another there). The writer may act as
   * any ServiceAccount of it, so it must hold nothing else: not a tenant's namespace, not the apps'.
   * Required with DISCOVERY_NAMESPACES.
   */
  @IsOptional()
  @Matches(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { message: 'must be a namespace (a DNS-1123 label)' })
  DISCOVERY_IDENTITY_NAMESPACE?: string;

  /** Discovery: host namespaces a vCluster's from-host-namespaces annotation may name (comma-separated; default none). */
  @IsOptional()
  @Matches(NAMESPACE_LIST, { message: 'must be a comma-separated list of namespaces (DNS-1123 labels, no spaces)' })
  DISCOVERY_FROM_HOST_NAMESPACES?: string;

  /** Discovery: host namespaces a vCluster's allowed-host-namespaces annotation may name (comma-separated; default none). */
  @IsOptional()
  @Matches(NAMESPACE_LIST, { message: 'must be a comma-separated list of namespaces (DNS-1123 labels, no spaces)' })
  DISCOVERY_ALLOWED_HOST_NAMESPACES?: string;

  /**
   * Discovery: the prefix of the tenant ClusterRoles (`<prefix>-read`, `<prefix>-write`,
   * `<prefix>-write-endpoints`; the Helm chart makes them). Set, config-watcher gives each
   * discovered tenant's host identity its grants itself, as RoleBindings to those ClusterRoles in
   * the namespaces granted to it, and removes them when the tenant is retired. Unset: the platform
   * binds them.
   */
  @IsOptional()
  @Matches(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, { message: 'must be the start of a ClusterRole name (lowercase letters, digits, - and .)' })
  DISCOVERY_TENANT_CLUSTER_ROLES?: string;

  /**
   * Leases (leader election of config-watcher and host-watcher, tenant shards of tenant-watcher):
   * how long one lives unless renewed, so how soon the work of a killed replica is taken over
   * (within this plus a fifth of it). Renewed every fifth of it.
   */
  @Transform(toInt)
  @IsInt()
  @Min(2)
  @Max(300)
  LEASE_TTL_SECONDS = 10;

  /**
   * Sockets a process keeps open per API server and TLS identity for requests (watches each hold
   * one of their own): tenants sharing an API server share them.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_024)
  KUBE_MAX_SOCKETS_PER_SERVER = 16;

  /** How often config-watcher enqueues every key once (passes read snapshots: this costs the API servers nothing). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86_400)
  RESYNC_INTERVAL_SECONDS = 300;

  /**
   * How often tenant-watcher lists each tenant's fromHost mirrors (one LIST per tenant) to find those
   * whose mapping is gone; it also does so once when it starts following a tenant.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(604_800)
  ORPHAN_SWEEP_INTERVAL_SECONDS = 3_600;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(256)
  WRITER_CONCURRENCY = 8;

  /** Entries (both directions) one tenant's config may have; more is a config error (config-watcher). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  MAX_MAPPINGS_PER_TENANT = 2_000;

  /** Distinct host namespaces one tenant's fromHost entries may read (each costs host-watcher two WATCHes). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000)
  MAX_SOURCE_NAMESPACES_PER_TENANT = 20;

  /** How often config-watcher re-reads config files and ConfigMaps (file edits are also watched). */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  CONFIG_POLL_MS = 2_000;

  /**
   * How long a config file (tenants file, vcluster.yaml) must stay the same (size, mtime and
   * content) before config-watcher takes it: a file caught half-written is not a config.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(60_000)
  CONFIG_SETTLE_MS = 1_000;

  /**
   * How long the mirrors of a removed config entry (or of a tenant gone from the tenants file)
   * are kept before they are deleted; putting the entry back within it cancels the delete.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(86_400)
  REMOVAL_GRACE_SECONDS = 30;

  /** Port of the app's HTTP server (/metrics, /health/*); 0 picks a free one (logged when ready). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65_535)
  HTTP_PORT = 8080;

  @IsString()
  HTTP_HOST = '0.0.0.0';

  /**
   * A second listener for the operator surface (status page, Bull Board, /metrics), so it can sit
   * behind a NetworkPolicy or on loopback while kubelet still probes HTTP_PORT. Unset: everything
   * is served on HTTP_PORT. Set: HTTP_PORT answers only /health/*, this port everything else.
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65_535)
  OPERATOR_HTTP_PORT?: number;

  /** The operator listener's interface (default: HTTP_HOST); `127.0.0.1` leaves only `kubectl port-forward`. */
  @IsOptional()
  @IsString()
  OPERATOR_HTTP_HOST?: string;

  /**
   * A trace UI's page for one trace, with `{traceId}` where the id goes (Jaeger:
   * `http://localhost:16686/trace/{traceId}`): the status page links each mapping's last trace there.
   */
  @IsOptional()
  @Matches(/^https?:\/\/\S*\{traceId\}/, { message: 'must be an http(s) address with {traceId} in it' })
  TRACE_UI_URL?: string;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace'])
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' = 'info';
}

/**
 * The variables the class declares: every property with a validation decorator (each has one, if
 * only @IsOptional), so adding a setting is adding a property, with no list to keep beside it.
 */
export function settingNames(): readonly (keyof Settings)[] {
  const declared = getMetadataStorage().getTargetValidationMetadatas(Settings, '', true, false);
  return [...new Set(declared.map((metadata) => metadata.propertyName as keyof Settings))];
}

/** The per-tenant limits the settings give, as the config parser takes them. */
export function tenantLimits(settings: Settings): { maxMappings: number; maxSourceNamespaces: number } {
  return { maxMappings: settings.MAX_MAPPINGS_PER_TENANT, maxSourceNamespaces: settings.MAX_SOURCE_NAMESPACES_PER_TENANT };
}

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

/**
 * The settings in `env` (by default the process's environment), validated; a SettingsError naming
 * each bad variable otherwise. Also the `validate` of the apps' ConfigModule, which passes it the
 * environment as a plain object.
 */
export function loadSettings(env: Readonly<Record<string, unknown>> = process.env): Settings {
  const given = Object.fromEntries(settingNames().filter((name) => env[name] !== undefined).map((name) => [name, env[name]]));
  const settings = plainToInstance(Settings, given, { exposeDefaultValues: true });
  // The value as given: a number setting that is not one would otherwise show as NaN (`null`).
  const shown = (property: string, value: unknown) => JSON.stringify(given[property] ?? value);
  const lines = validateSync(settings).map((e) => `  ${e.property}=${shown(e.property, e.value)}: ${Object.values(e.constraints ?? {}).join('; ')}`);
  lines.push(...operatorListenerErrors(settings), ...discoveryErrors(settings));
  // A password is never echoed: these messages name the variables and what is wrong with them.
  if (lines.length === 0) lines.push(...[...redisAddressErrors(settings), ...unreadableTlsFiles(settings)].map((line) => `  ${line}`));
  if (lines.length > 0) throw new SettingsError(`invalid environment:\n${lines.join('\n')}`);
  return settings;
}

/** What single-field validation cannot see: the two listeners must be told apart. */
function operatorListenerErrors(settings: Settings): string[] {
  const { OPERATOR_HTTP_PORT: port, OPERATOR_HTTP_HOST: host } = settings;
  if (port === undefined && host !== undefined) {
    return [`  OPERATOR_HTTP_HOST=${JSON.stringify(host)}: has no effect without OPERATOR_HTTP_PORT; set both, or neither`];
  }
  if (port !== undefined && port !== 0 && port === settings.HTTP_PORT) {
    return [`  OPERATOR_HTTP_PORT=${port}: must differ from HTTP_PORT (the health listener)`];
  }
  return [];
}

/** Discovered tenants' identities need a namespace of their own, one discovery does not search. */
function discoveryErrors(settings: Settings): string[] {
  const { DISCOVERY_NAMESPACES: searched, DISCOVERY_IDENTITY_NAMESPACE: identities } = settings;
  if (searched === undefined) return [];
  if (identities === undefined) {
    return ['  DISCOVERY_IDENTITY_NAMESPACE: required with DISCOVERY_NAMESPACES (where discovered tenants\' host identities live; a namespace of its own)'];
  }
  // With `*` a vCluster found in it is refused instead (discoverTenants).
  if (searched.split(',').includes(identities)) {
    return [`  DISCOVERY_IDENTITY_NAMESPACE=${JSON.stringify(identities)}: must not be searched by DISCOVERY_NAMESPACES=${JSON.stringify(searched)} (a vCluster's pods may run as any ServiceAccount of its namespace)`];
  }
  return [];
}
