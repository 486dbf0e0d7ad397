import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { controlPlaneBinaries } from './binaries';
import { freePort } from './free-port';
import { ManagedProcess, waitUntilReady } from './managed-process';
import { createPki, type Pki } from './pki';

/** The controllers the replicator's behaviour depends on in a real cluster. */
const CONTROLLERS = [
  'endpoints-controller',
  'endpointslice-controller',
  'endpointslice-mirroring-controller',
  'namespace-controller',
  'garbage-collector-controller',
  'serviceaccount-controller',
];

export interface ControlPlane {
  readonly name: string;
  /** Admin (system:masters) access. */
  readonly kubeConfig: KubeConfig;
  /** The same admin access as a kubeconfig file, for processes we start. */
  readonly kubeconfigPath: string;
  readonly server: string;
  readonly dataDir: string;
  /** Every process of this control plane, for tests that check nothing is left behind. */
  readonly pids: () => number[];
  /**
   * Stops kube-apiserver alone (etcd and kube-controller-manager keep running), as an API server
   * outage would: every watch and request on it fails until `startApiServer`.
   */
  stopApiServer(): Promise<void>;
  /** Starts kube-apiserver again on the same port and address, over the same etcd; resolves once ready. */
  startApiServer(): Promise<void>;
  /**
   * Compacts etcd's history up to its current revision (through etcd's own API): a watch that
   * resumes from an older resourceVersion gets 410 Gone. Resolves to the revision compacted to.
   */
  compactEtcd(): Promise<number>;
  stop(): Promise<void>;
}

export interface ControlPlaneOptions {
  /** Names the control plane in logs and kubeconfig (e.g. "host", "tenant"). */
  readonly name: string;
  readonly startTimeoutMs?: number;
}

/**
 * Starts etcd, kube-apiserver (RBAC, generated PKI, service-account tokens) and
 * kube-controller-manager on free loopback ports in a fresh temporary folder.
 */
export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const bin = controlPlaneBinaries();
  const dir = await mkdtemp(join(tmpdir(), `sr-${options.name}-`));
  const timeout = options.startTimeoutMs ?? 90_000;
  const processes: ManagedProcess[] = [];
  const stop = async () => {
    for (const proc of [...processes].reverse()) await proc.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const [pki, etcdPort, peerPort, apiPort] = await Promise.all([createPki(dir), freePort(), freePort(), freePort()]);
    const etcd = startEtcd(bin, dir, etcdPort, peerPort);
    processes.push(etcd);
    await waitUntilReady(etcd, () => httpOk(`http://127.0.0.1:${etcdPort}/health`), timeout);

    const server = `https://127.0.0.1:${apiPort}`;
    let apiserver = startApiServer(bin, dir, pki, etcdPort, apiPort);
    processes.push(apiserver);
    await waitUntilReady(apiserver, () => apiReady(server, pki), timeout);

    const kubeConfig = adminKubeConfig(options.name, server, pki);
    const kubeconfigPath = join(dir, 'admin.kubeconfig');
    await writeFile(kubeconfigPath, kubeConfig.exportConfig());
    processes.push(startControllerManager(bin, dir, kubeconfigPath));
    const apiServerControl = {
      stopApiServer: async () => {
        await apiserver.stop();
      },
      startApiServer: async () => {
        if (!apiserver.hasExited) throw new Error(`${options.name}: kube-apiserver is still running`);
        const next = startApiServer(bin, dir, pki, etcdPort, apiPort);
        processes.splice(processes.indexOf(apiserver), 1, next);
        apiserver = next;
        await waitUntilReady(next, () => apiReady(server, pki), timeout);
      },
      compactEtcd: () => compactEtcd(`http://127.0.0.1:${etcdPort}`),
    };
    return { name: options.name, kubeConfig, kubeconfigPath, server, dataDir: dir, pids: () => pidsOf(processes), ...apiServerControl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** etcd's JSON gateway (v3): the current revision from a range read, then a physical compaction to it. */
async function compactEtcd(etcd: string): Promise<number> {
  const post = async (path: string, body: object) => {
    const res = await fetch(`${etcd}${path}`, { method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`etcd ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as { header?: { revision?: string } };
  };
  // The gateway takes keys base64-encoded; any key will do, the header carries the store's revision.
  const range = await post('/v3/kv/range', { key: Buffer.from('/registry').toString('base64') });
  const revision = Number(range.header?.revision);
  if (!Number.isInteger(revision) || revision <= 0) throw new Error(`etcd gave no revision: ${JSON.stringify(range)}`);
  await post('/v3/kv/compaction', { revision: String(revision), physical: true });
  return revision;
}

function pidsOf(processes: readonly ManagedProcess[]): number[] {
  return processes.flatMap((proc) => (proc.pid === undefined ? [] : [proc.pid]));
}

function startEtcd(bin: string, dir: string, port: number, peerPort: number): ManagedProcess {
  const peer = `http://127.0.0.1:${peerPort}`;
  return new ManagedProcess('etcd', join(bin, 'etcd'), [
    `--data-dir=${join(dir, 'etcd')}`,
    `--listen-client-urls=http://127.0.0.1:${port}`,
    `--advertise-client-urls=http://127.0.0.1:${port}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=default=${peer}`,
    '--unsafe-no-fsync',
    '--log-level=warn',
  ], { logFile: join(dir, 'etcd.log') });
}

function startApiServer(bin: string, dir: string, pki: Pki, etcdPort: number, apiPort: number): ManagedProcess {
  return new ManagedProcess('kube-apiserver', join(bin, 'kube-apiserver'), [
    `--etcd-servers=http://127.0.0.1:${etcdPort}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${apiPort}`,
    `--cert-dir=${join(dir, 'apiserver-certs')}`,
    `--tls-cert-file=${pki.servingCert}`,
    `--tls-private-key-file=${pki.servingKey}`,
    `--client-ca-file=${pki.caCert}`,
    '--authorization-mode=RBAC',
    '--service-account-issuer=https://kubernetes.default.svc',
    `--service-account-key-file=${pki.serviceAccountPub}`,
    `--service-account-signing-key-file=${pki.serviceAccountKey}`,
    '--service-cluster-ip-range=10.0.0.0/16',
    // Nothing here runs the metrics APIs or a cloud; keep the log about what tests do.
    '--v=1',
  ], { logFile: join(dir, 'kube-apiserver.log') });
}

function startControllerManager(bin: string, dir: string, kubeconfig: string): ManagedProcess {
  return new ManagedProcess('kube-controller-manager', join(bin, 'kube-controller-manager'), [
    `--kubeconfig=${kubeconfig}`,
    `--controllers=${CONTROLLERS.join(',')}`,
    '--leader-elect=false',
    '--secure-port=0',
    '--use-service-account-credentials=false',
    // Tests wait on these controllers: publish endpoint changes at once rather than batching.
    '--endpointslice-updates-batch-period=0s',
    '--v=1',
  ], { logFile: join(dir, 'kube-controller-manager.log') });
}

function adminKubeConfig(name: string, server: string, pki: Pki): KubeConfig {
  const kc = new KubeConfig();
  const b64 = (file: string) => readFileSync(file).toString('base64');
  kc.loadFromOptions({
    clusters: [{ name, server, caData: b64(pki.caCert), skipTLSVerify: false }],
    users: [{ name: `${name}-admin`, certData: b64(pki.adminCert), keyData: b64(pki.adminKey) }],
    contexts: [{ name, cluster: name, user: `${name}-admin` }],
    currentContext: name,
  });
  return kc;
}

function httpOk(url: string): Promise<boolean> {
  return fetch(url, { signal: AbortSignal.timeout(1_000) }).then((res) => res.ok);
}

/** /readyz answers 200 only once every post-start hook (RBAC bootstrap roles included) is done. */
function apiReady(server: string, pki: Pki): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      `${server}/readyz`,
      { ca: readFileSync(pki.caCert), cert: readFileSync(pki.adminCert), key: readFileSync(pki.adminKey), timeout: 1_000 },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}
