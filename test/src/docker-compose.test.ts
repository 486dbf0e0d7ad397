import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { APPS, repoRoot, runProcess, startRedis, type RedisServer } from '@service-replicator/control-plane-harness';
import { parseTenantConfig, parseTenantsFile, tenantHostGrants } from '@service-replicator/replication-config';
import { composeSchemaErrors, hostPathOf, publishedPorts, readComposeFile, repoRelative, volumeMount } from './support/compose-file';
import { RuntimeTree } from './support/runtime-image';
import { serverSuite } from './support/server-suite';
import { eventually } from './support/wait';

const compose = readComposeFile();
const services = compose.services;

serverSuite('docker-compose.yml', () => {
  it('is valid against the Compose specification schema', () => {
    assert.deepEqual(composeSchemaErrors(compose), []);
  });

  it('the schema check does catch mistakes', () => {
    const broken = { ...compose, services: { ...services, redis: { ...services.redis, prots: [], depends_on: 'jaeger' } } };
    const errors = composeSchemaErrors(broken).join('\n');
    assert.match(errors, /\/services\/redis must NOT have additional properties \{"additionalProperty":"prots"\}/);
    assert.match(errors, /\/services\/redis\/depends_on/);
  });

  it('runs every app from the one image built from ./Dockerfile, with Redis, the kubeconfigs and Jaeger', () => {
    for (const app of APPS) {
      const service = services[app];
      assert.ok(service, `service ${app}`);
      assert.equal(service.image, 'service-replicator:dev', app);
      assert.deepEqual(service.build, { context: '.', dockerfile: 'Dockerfile' }, app);
      assert.deepEqual(service.command, [app], `${app} picks its app by argument`);
      assert.equal(service.depends_on?.redis?.condition, 'service_healthy', app);
      assert.equal(service.depends_on?.kubeconfigs?.condition, 'service_completed_successfully', app);
      assert.ok(service.volumes?.includes('kubeconfig:/kubeconfig:ro'), `${app} mounts the kubeconfigs`);
      const env = service.environment ?? {};
      assert.equal(env.REDIS_URL, 'redis://redis:6379', app);
      assert.equal(env.HOST_KUBECONFIG, '/kubeconfig/host.yaml', app);
      assert.equal(env.OTEL_EXPORTER_OTLP_ENDPOINT, 'http://jaeger:4318', app);
      assert.equal(env.OTEL_SERVICE_NAME, app);
    }
    assert.equal(services.jaeger.environment?.COLLECTOR_OTLP_ENABLED, 'true');
    assert.ok(existsSync(join(repoRoot, 'Dockerfile')));
  });

  it('publishes no host port twice, and only on loopback', () => {
    const owners = new Map<number, string>();
    for (const [name, service] of Object.entries(services)) {
      for (const { address, ports } of (service.ports ?? []).map(publishedPorts)) {
        assert.equal(address, '127.0.0.1', `${name} publishes on ${address}`);
        for (const port of ports) {
          assert.equal(owners.get(port), undefined, `port ${port}: ${name} and ${owners.get(port)}`);
          owners.set(port, name);
        }
      }
    }
    assert.equal(owners.get(16686), 'jaeger', 'the Jaeger UI');
  });

  it('names only services and volumes it declares', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const dependency of Object.keys(service.depends_on ?? {})) assert.ok(services[dependency], `${name} depends on ${dependency}`);
      for (const mount of (service.volumes ?? []).map(volumeMount)) {
        if (mount.source.startsWith('./')) assert.ok(existsSync(join(repoRoot, mount.source)), `${name} mounts ${mount.source}`);
        else assert.ok(compose.volumes?.[mount.source] !== undefined, `${name} mounts volume ${mount.source}`);
      }
    }
  });

  it('gives config-watcher a valid tenants file whose kubeconfig and vcluster.yaml are there', () => {
    const watcher = services['config-watcher'];
    const tenantsPath = watcher.environment?.TENANTS_FILE ?? '';
    const hostPath = hostPathOf(watcher, tenantsPath);
    assert.ok(hostPath && existsSync(hostPath), `${tenantsPath} is bound to a file of the repository`);
    const { tenants, issues } = parseTenantsFile(readFileSync(hostPath, 'utf8'));
    assert.deepEqual(issues, []);
    for (const tenant of tenants ?? []) {
      assert.ok('file' in tenant.kubeconfig && tenant.kubeconfig.file.startsWith('/kubeconfig/'), 'the kubeconfig is one the kubeconfigs step writes');
      assert.ok('file' in tenant.config);
      const configPath = hostPathOf(watcher, posix.resolve(posix.dirname(tenantsPath), tenant.config.file));
      assert.ok(configPath && existsSync(configPath), `${tenant.config.file} is bound to a file of the repository`);
      const parsed = parseTenantConfig(readFileSync(configPath, 'utf8'), tenant);
      assert.deepEqual(parsed.issues, [], repoRelative(configPath));
    }
  });

  it('seeds k3s-host with the namespaces and the Service the sample replicates', () => {
    const mount = services['k3s-host'].volumes?.map(volumeMount).find((m) => m.target.startsWith('/var/lib/rancher/k3s/server/manifests/'));
    assert.ok(mount, 'a manifest for k3s to apply at start');
    const objects = parseAllDocuments(readFileSync(join(repoRoot, mount.source), 'utf8')).map((doc) => doc.toJS());
    const names = objects.map((o) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    const sample = parse(readFileSync(join(repoRoot, 'deploy/sample/team-a.vcluster.yaml'), 'utf8'));
    const [source] = sample.networking.replicateServices.fromHost;
    const [sourceNamespace, sourceName] = source.from.split('/');
    assert.ok(names.includes(`Namespace /${sourceNamespace}`), names.join(', '));
    assert.ok(names.includes(`Service ${sourceNamespace}/${sourceName}`), names.join(', '));
    assert.ok(names.includes('Namespace /vcluster-team-a'), 'the tenant host namespace, where toHost writes');
  });

  it("seeds k3s-host with each tenant's host identity and exactly the Roles it needs", () => {
    const watcher = services['config-watcher'];
    const tenantsPath = watcher.environment?.TENANTS_FILE ?? '';
    const { tenants } = parseTenantsFile(readFileSync(hostPathOf(watcher, tenantsPath) ?? '', 'utf8'));
    const mount = services['k3s-host'].volumes?.map(volumeMount).find((m) => m.target.startsWith('/var/lib/rancher/k3s/server/manifests/'));
    const objects = parseAllDocuments(readFileSync(join(repoRoot, mount?.source ?? ''), 'utf8')).map((doc) => doc.toJS());
    for (const tenant of tenants ?? []) {
      const grants = tenantHostGrants(tenant);
      const account = grants.serviceAccount;
      assert.ok(objects.some((o) => o.kind === 'ServiceAccount' && o.metadata.namespace === account.namespace && o.metadata.name === account.name));
      const bound = objects.filter(
        (o) => o.kind === 'RoleBinding' && o.subjects.some((s: { name: string; namespace: string }) => s.name === account.name && s.namespace === account.namespace),
      );
      const roles = bound.map((binding) => objects.find((o) => o.kind === 'Role' && o.metadata.namespace === binding.metadata.namespace && o.metadata.name === binding.roleRef.name));
      assert.deepEqual(
        roles.map((role) => ({ namespace: role.metadata.namespace, rules: role.rules })).sort((a, b) => a.namespace.localeCompare(b.namespace)),
        grants.roles.map((role) => ({ namespace: role.namespace, rules: role.rules })).sort((a, b) => a.namespace.localeCompare(b.namespace)),
      );
    }
  });
});

serverSuite('Dockerfile', () => {
  const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');

  it('runs as the unprivileged node user on node:20-bookworm-slim, the app chosen by argument', () => {
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    assert.match(dockerfile, /^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
    assert.match(runtime, /^FROM \$\{NODE_IMAGE\}$/m);
    assert.match(runtime, /^USER node$/m);
    assert.match(runtime, /^ENTRYPOINT \["\/app\/entrypoint\.sh"\]$/m);
    const ignored = readFileSync(join(repoRoot, '.dockerignore'), 'utf8').split('\n');
    for (const pattern of ['**/node_modules', '**/dist', '.git']) assert.ok(ignored.includes(pattern), pattern);
  });

  describe('runtime tree (deploy/docker/stage-runtime.sh)', () => {
    let tree: RuntimeTree;
    let redis: RedisServer;
    before(async () => {
      [tree, redis] = await Promise.all([RuntimeTree.stage(), startRedis()]);
    });
    after(async () => {
      await Promise.all([tree?.remove(), redis?.stop()]);
    });

    it('holds production dependencies only', () => {
      for (const devOnly of ['nx', 'eslint', '@nx/js', 'dclint', 'typescript-eslint']) assert.ok(!existsSync(join(tree.app, 'node_modules', devOnly)), devOnly);
      assert.ok(existsSync(join(tree.app, 'node_modules/@kubernetes/client-node')));
      assert.ok(!existsSync(join(tree.app, 'apps/writer/src')), 'no sources');
    });

    it('starts each app from the staged tree alone', async () => {
      for (const app of APPS) {
        const proc = await tree.start(app, { REDIS_URL: redis.url, QUEUE_PREFIX: `runtime-${app}` });
        await proc.stop();
      }
    });

    it('refuses an unknown app name, or none', async () => {
      for (const args of [['nope'], []]) {
        const result = await runProcess('sh', [join(tree.app, 'entrypoint.sh'), ...args]);
        assert.equal(result.code, 64, JSON.stringify(args));
        assert.match(result.stderr, /usage: <image> config-watcher\|host-watcher\|tenant-watcher\|writer/);
      }
    });

    it('execs node in its own place, so the SIGTERM a container runtime sends its PID 1 stops the app cleanly', async () => {
      const proc = await tree.start('writer', { REDIS_URL: redis.url, QUEUE_PREFIX: 'runtime-exec' });
      const pid = proc.pid ?? 0;
      const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      assert.match(commandLine[0], /node$/, `PID ${pid} is node, not the shell: ${commandLine.join(' ')}`);
      assert.ok(commandLine.includes(join(tree.app, 'apps/writer/dist/main.js')));
      process.kill(pid, 'SIGTERM');
      await eventually(() => (proc.hasExited ? true : undefined), 30_000);
      assert.deepEqual(await proc.stop(), { code: 0, signal: null });
      assert.match(await tree.log('writer'), /"msg":"writer stopped"/);
    });

    it('passes the compose healthcheck (its own command, run here) once ready, and fails it when nothing answers', async () => {
      const [kind, command, ...args] = (services.writer.healthcheck as { test: string[] }).test;
      assert.deepEqual([kind, command, args[0]], ['CMD', 'node', '-e']);
      const proc = await tree.start('host-watcher', { REDIS_URL: redis.url, QUEUE_PREFIX: 'runtime-health' });
      try {
        const port = /"http":"http:\/\/127\.0\.0\.1:(\d+)"/.exec(await tree.log('host-watcher'))?.[1];
        assert.ok(port, 'host-watcher logged its HTTP address');
        const check = async (script: string) => (await runProcess(command, [args[0], script], { timeoutMs: 30_000 })).code;
        assert.equal(await check(args[1].replace('127.0.0.1:8080', `127.0.0.1:${port}`)), 0, 'ready');
        assert.equal(await check(args[1].replace('127.0.0.1:8080', '127.0.0.1:1')), 1, 'nothing listening');
      } finally {
        await proc.stop();
      }
    });
  });
});
