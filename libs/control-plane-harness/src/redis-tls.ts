import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';
import { freePort } from './free-port';
import { createRedisPki, type RedisPki } from './pki';
import { answersPing, IN_MEMORY, quiet, launchRedis, type RedisDeployment } from './redis-process';

export interface TlsRedisOptions {
  /** The apps' ACL user: its name, password and key pattern (e.g. `e2e:*`, so a key outside it is refused with NOPERM). */
  readonly user: { readonly name: string; readonly password: string; readonly keys: string };
}

export interface TlsRedis extends RedisDeployment {
  readonly port: number;
  readonly pki: RedisPki;
  /** TLS options for a client of our own (the CA and the client certificate), without a user. */
  tlsOptions(): Promise<NonNullable<RedisOptions['tls']>>;
}

const ADMIN = { name: 'admin', password: 'admin-secret' };

/**
 * Debian's redis-server listening only on TLS (no plain port), requiring a client certificate
 * signed by a throwaway CA (`tls-auth-clients yes`), with ACL users instead of the default user
 * (disabled): an admin for the test, and the apps' user, limited to its key pattern.
 */
export async function startTlsRedis(options: TlsRedisOptions): Promise<TlsRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'sr-redis-tls-'));
  const pki = await createRedisPki(dir);
  const port = await freePort();
  const { user } = options;
  const tlsOptions = async () => ({
    ca: await readFile(pki.caCert),
    cert: await readFile(pki.clientCert),
    key: await readFile(pki.clientKey),
  });
  const tls = await tlsOptions();
  const admin: RedisOptions = { host: '127.0.0.1', port, username: ADMIN.name, password: ADMIN.password, tls };
  const proc = await launchRedis('redis-tls', dir, [
    ...IN_MEMORY,
    'port 0',
    `tls-port ${port}`,
    `tls-cert-file ${pki.serverCert}`,
    `tls-key-file ${pki.serverKey}`,
    `tls-ca-cert-file ${pki.caCert}`,
    'tls-auth-clients yes',
    'user default off',
    `user ${ADMIN.name} on >${ADMIN.password} ~* &* +@all`,
    // Every command, every channel (the announcements' channels are not prefixed), only its keys.
    `user ${user.name} on >${user.password} ~${user.keys} &* +@all`,
  ], answersPing(admin)).catch(async (error: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw error;
  });
  return {
    port,
    pki,
    tlsOptions,
    env: {
      REDIS_URL: `rediss://${encodeURIComponent(user.name)}:${encodeURIComponent(user.password)}@127.0.0.1:${port}`,
      REDIS_TLS_CA_FILE: pki.caCert,
      REDIS_TLS_CERT_FILE: pki.clientCert,
      REDIS_TLS_KEY_FILE: pki.clientKey,
    },
    connect: () => quiet(new Redis({ ...admin, maxRetriesPerRequest: 1 })),
    stop: async () => {
      await proc.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
