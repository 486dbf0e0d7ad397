import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runProcess } from '@service-replicator/control-plane-harness';

/** A token and a private key (with its certificate) no output may ever show, in any encoding. */
export interface PlantedSecrets {
  readonly token: string;
  readonly key: string;
  readonly cert: string;
  /** Every text whose presence in an output means a secret leaked. */
  readonly needles: readonly string[];
}

export async function plantSecrets(): Promise<PlantedSecrets> {
  const dir = await mkdtemp(join(tmpdir(), 'sr-planted-'));
  try {
    const [keyFile, certFile] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=planted'];
    const made = await runProcess('openssl', args);
    if (made.code !== 0) throw new Error(`openssl could not make the planted key (exit ${made.code}): ${made.stderr}`);
    const [key, cert] = [await readFile(keyFile, 'utf8'), await readFile(certFile, 'utf8')];
    const random = randomBytes(16).toString('hex');
    const token = `plantedtoken${random}`;
    return { token, key, cert, needles: needlesFor(random, key) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Short fragments of what is secret, so a partial leak counts too (a parser's snippet cuts long
 * lines): of the token's random part, of the key's material (not the header every EC key shares),
 * and of both as they look inside base64 text (a Secret's data, a kubeconfig's *-data field).
 */
function needlesFor(tokenRandom: string, key: string): string[] {
  const keyMaterial = key.split('\n').filter((line) => line && !line.startsWith('-----')).join('').slice(48);
  return [
    ...windows(tokenRandom, 8, 2),
    ...windows(keyMaterial, 16, 8),
    ...base64Forms(`plantedtoken${tokenRandom}`).flatMap((encoded) => windows(encoded.slice(16), 12, 4)),
    ...base64Forms(key).flatMap((encoded) => windows(encoded.slice(120), 16, 8)),
  ];
}

/**
 * A secret inside base64 text shows as one of three encodings, by its offset modulo 3; the middle
 * of each does not depend on what surrounds it.
 */
function base64Forms(secret: string): string[] {
  return ['', 'x', 'xx'].map((pad) => Buffer.from(pad + secret).toString('base64').slice(4, -4));
}

function windows(text: string, size: number, step: number): string[] {
  const found: string[] = [];
  for (let start = 0; start + size <= text.length; start += step) found.push(text.slice(start, start + size));
  return found;
}

/** The fragments found in `text` (at most a few, for the failure message). */
export function leaksIn(text: string, planted: PlantedSecrets): string[] {
  return planted.needles.filter((needle) => text.includes(needle)).slice(0, 3);
}

interface KubeconfigParts {
  readonly server: string;
  readonly caData: string;
  readonly user: Record<string, string>;
}

/** The user comes last, so that a syntax error appended to it is right below the credentials. */
function kubeconfig({ server, caData, user }: KubeconfigParts): string {
  const cluster = { apiVersion: 'v1', kind: 'Config', clusters: [{ name: 't', cluster: { server, 'certificate-authority-data': caData } }] };
  const context = { contexts: [{ name: 't', context: { cluster: 't', user: 'u' } }], 'current-context': 't' };
  return stringify({ ...cluster, ...context, users: [{ name: 'u', user }] });
}

/**
 * Kubeconfigs that carry the planted token and key and are broken each way that matters: not
 * YAML (the parser quotes the lines around its error), a key the Secret does not have, a client
 * certificate TLS refuses, a server nobody answers at.
 */
export function brokenKubeconfigs(planted: PlantedSecrets, server: string, caData: string, closedPort: number): Record<string, { key: string; text: string }> {
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  const user = { token: planted.token, 'client-certificate-data': b64(planted.cert), 'client-key-data': b64(planted.key) };
  const valid = kubeconfig({ server, caData, user });
  return {
    // The error comes right after the user, so the parser's snippet is the token and key lines.
    yaml: { key: 'config', text: `${valid}  bad: [\n` },
    'wrong-key': { key: 'kubeconfig', text: valid },
    'bad-cert': {
      key: 'config',
      text: kubeconfig({ server, caData, user: { ...user, 'client-certificate-data': b64(`-----BEGIN CERTIFICATE-----\n${planted.token}\n-----END CERTIFICATE-----\n`) } }),
    },
    unreachable: { key: 'config', text: kubeconfig({ server: `https://127.0.0.1:${closedPort}`, caData, user }) },
  };
}
