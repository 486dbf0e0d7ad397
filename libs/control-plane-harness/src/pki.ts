import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runProcess } from './managed-process';

async function run(command: string, args: readonly string[]): Promise<void> {
  const result = await runProcess(command, args);
  if (result.code !== 0) throw new Error(`${command} ${args[0]} exited ${result.code ?? result.signal}: ${result.stderr}`);
}

/** Files of a throwaway PKI for one test control plane (EC P-256 keys: fast to make). */
export interface Pki {
  readonly caCert: string;
  readonly servingCert: string;
  readonly servingKey: string;
  readonly adminCert: string;
  readonly adminKey: string;
  readonly serviceAccountKey: string;
  readonly serviceAccountPub: string;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function signedCert(dir: string, name: string, subject: string, extensions: string): Promise<void> {
  const ext = join(dir, `${name}.ext`);
  await writeFile(ext, extensions);
  await run('openssl', ['req', ...EC, '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.csr`), '-subj', subject]);
  await run('openssl', [
    'x509', '-req', '-in', join(dir, `${name}.csr`), '-CA', join(dir, 'ca.crt'), '-CAkey', join(dir, 'ca.key'),
    '-CAcreateserial', '-days', '7', '-out', join(dir, `${name}.crt`), '-extfile', ext,
  ]);
}

export async function createPki(dir: string): Promise<Pki> {
  await run('openssl', ['req', '-x509', ...EC, '-keyout', join(dir, 'ca.key'), '-out', join(dir, 'ca.crt'), '-days', '7', '-subj', '/CN=service-replicator-test-ca']);
  await signedCert(
    dir,
    'apiserver',
    '/CN=kube-apiserver',
    'subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n',
  );
  // system:masters: the admin identity bypasses RBAC, as a cluster admin's does.
  await signedCert(dir, 'admin', '/O=system:masters/CN=admin', 'extendedKeyUsage=clientAuth\n');
  await run('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', join(dir, 'sa.key')]);
  await run('openssl', ['pkey', '-in', join(dir, 'sa.key'), '-pubout', '-out', join(dir, 'sa.pub')]);
  return {
    caCert: join(dir, 'ca.crt'),
    servingCert: join(dir, 'apiserver.crt'),
    servingKey: join(dir, 'apiserver.key'),
    adminCert: join(dir, 'admin.crt'),
    adminKey: join(dir, 'admin.key'),
    serviceAccountKey: join(dir, 'sa.key'),
    serviceAccountPub: join(dir, 'sa.pub'),
  };
}

/** A throwaway CA with a Redis server certificate (for 127.0.0.1 and localhost) and a client certificate. */
export interface RedisPki {
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
}

export async function createRedisPki(dir: string): Promise<RedisPki> {
  await run('openssl', ['req', '-x509', ...EC, '-keyout', join(dir, 'ca.key'), '-out', join(dir, 'ca.crt'), '-days', '7', '-subj', '/CN=service-replicator-test-redis-ca']);
  await signedCert(dir, 'redis', '/CN=redis', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n');
  await signedCert(dir, 'client', '/CN=service-replicator', 'extendedKeyUsage=clientAuth\n');
  return {
    caCert: join(dir, 'ca.crt'),
    serverCert: join(dir, 'redis.crt'),
    serverKey: join(dir, 'redis.key'),
    clientCert: join(dir, 'client.crt'),
    clientKey: join(dir, 'client.key'),
  };
}
