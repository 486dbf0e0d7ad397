import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { ManagedProcess, repoRoot } from '@service-replicator/control-plane-harness';
import { readComposeFile } from './support/compose-file';
import { serverSuite } from './support/server-suite';
import { eventually } from './support/wait';

const services = readComposeFile().services;

/** The kubeconfig k3s writes with --write-kubeconfig: its own loopback, embedded certificates. */
function k3sKubeconfig(): string {
  const pem = (kind: string) => Buffer.from(`-----BEGIN ${kind}-----\n${randomBytes(600).toString('base64')}\n-----END ${kind}-----\n`).toString('base64');
  return `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: ${pem('CERTIFICATE')}
    server: https://127.0.0.1:6443
  name: default
contexts:
- context:
    cluster: default
    user: default
  name: default
current-context: default
kind: Config
preferences: {}
users:
- name: default
  user:
    client-certificate-data: ${pem('CERTIFICATE')}
    client-key-data: ${pem('EC PRIVATE KEY')}
`;
}

/**
 * deploy/compose/write-kubeconfigs.sh run the way the compose service `kubeconfigs` runs it
 * (`sh` of the busybox image; here Debian's busybox), on a folder standing in for the volume.
 */
function runScript(dir: string, env: Record<string, string> = {}): ManagedProcess {
  const [shell, script] = services.kubeconfigs.command ?? [];
  assert.equal(shell, 'sh');
  return new ManagedProcess('write-kubeconfigs.sh', 'busybox', ['sh', join(repoRoot, script.replace(/^\/deploy\//, 'deploy/'))], {
    env: { PATH: process.env.PATH ?? '', KUBECONFIG_DIR: dir, ...env },
  });
}

serverSuite('compose: deploy/compose/write-kubeconfigs.sh under busybox sh', () => {
  let dir: string;
  let running: ManagedProcess | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sr-kubeconfigs-'));
  });
  afterEach(async () => {
    await running?.stop(0);
    running = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('is what the compose file runs, for the kubeconfigs each k3s writes under its --tls-san name', () => {
    assert.deepEqual(services.kubeconfigs.command, ['sh', '/deploy/compose/write-kubeconfigs.sh']);
    assert.equal(services.kubeconfigs.image, 'busybox:1.37');
    for (const cluster of ['k3s-host', 'k3s-tenant']) {
      const args = services[cluster].command ?? [];
      assert.ok(args.includes(`--tls-san=${cluster}`), `${cluster} serves a certificate for its service name`);
      assert.ok(args.includes(`--write-kubeconfig=/kubeconfig/${cluster}.raw.yaml`), cluster);
    }
  });

  it('waits for each k3s to finish writing, then gives the apps a copy naming the cluster by its service name, nothing else changed', async () => {
    const raw = { 'k3s-host': k3sKubeconfig(), 'k3s-tenant': k3sKubeconfig() };
    // k3s creates the file before it fills it: an empty file is not a kubeconfig yet.
    writeFileSync(join(dir, 'k3s-host.raw.yaml'), '');
    running = runScript(dir);
    writeFileSync(join(dir, 'k3s-host.raw.yaml'), raw['k3s-host']);
    await eventually(() => (existsSync(join(dir, 'host.yaml')) ? true : undefined), 15_000);
    assert.equal(existsSync(join(dir, 'tenant-a.yaml')), false, 'k3s-tenant has written nothing yet');
    assert.equal(running.hasExited, false, 'still waiting for k3s-tenant');
    writeFileSync(join(dir, 'k3s-tenant.raw.yaml'), raw['k3s-tenant']);
    assert.equal((await running.closed).code, 0, running.output);

    for (const [cluster, file] of [['k3s-host', 'host.yaml'], ['k3s-tenant', 'tenant-a.yaml']] as const) {
      const written = readFileSync(join(dir, file), 'utf8');
      assert.equal(written, raw[cluster].replace('server: https://127.0.0.1:6443', `server: https://${cluster}:6443`));
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromString(written);
      assert.equal(kubeConfig.getCurrentCluster()?.server, `https://${cluster}:6443`);
      assert.ok(kubeConfig.getCurrentUser()?.keyData, 'the client key is kept');
      assert.equal(statSync(join(dir, file)).mode & 0o777, 0o644, 'readable by the apps’ unprivileged user');
    }
    assert.deepEqual(readdirSync(dir).sort(), ['host.yaml', 'k3s-host.raw.yaml', 'k3s-tenant.raw.yaml', 'tenant-a.yaml'], 'no temporary file left');
    assert.match(running.output, /wrote .*host\.yaml for https:\/\/k3s-host:6443\nwrote .*tenant-a\.yaml for https:\/\/k3s-tenant:6443/);
  });

  it('gives up, naming the cluster and the file, when a kubeconfig never comes', async () => {
    writeFileSync(join(dir, 'k3s-host.raw.yaml'), k3sKubeconfig());
    running = runScript(dir, { KUBECONFIG_WAIT_SECONDS: '1' });
    assert.equal((await running.closed).code, 1, running.output);
    assert.match(running.output, new RegExp(`no kubeconfig from k3s-tenant in ${dir}/k3s-tenant\\.raw\\.yaml after 1 s`));
    assert.equal(existsSync(join(dir, 'tenant-a.yaml')), false);
  });
});
