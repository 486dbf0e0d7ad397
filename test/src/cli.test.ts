import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { repoRoot, runProcess, type ProcessResult } from '@service-replicator/control-plane-harness';
import { ReplicationFixture, statusOf } from './support/replication-fixture';
import { serverSuite } from './support/server-suite';
import { eventually } from './support/wait';

const cli = join(repoRoot, 'tools/cli/dist/main.js');

function run(args: string[], env: Record<string, string> = {}): Promise<ProcessResult> {
  return runProcess(process.execPath, [cli, ...args], { env: { ...process.env, ...env } });
}

serverSuite('CLI: validate and plan', () => {
  let fx: ReplicationFixture;
  let env: Record<string, string>;

  before(async () => {
    fx = await ReplicationFixture.start({ prefix: 'e2e-cli' });
    env = { HOST_KUBECONFIG: fx.host.kubeconfigPath, REDIS_URL: fx.redisServer.url, QUEUE_PREFIX: fx.prefix, TENANTS_FILE: join(fx.dir, 'tenants.yaml') };
    for (const name of ['db', 'old', 'new']) {
      await fx.hostCore.createNamespacedService({ namespace: 'shared', body: { metadata: { name }, spec: { ports: [{ port: 80 }] } } });
    }
    await fx.configure('a', { fromHost: [{ from: 'shared/db', to: 'default/db' }, { from: 'shared/old', to: 'default/old' }] });
    await eventually(async () => ((await fx.status('a/fromHost/default/old'))?.state === 'in-sync' ? true : undefined));
  });
  after(async () => fx?.stop());

  it('validate names every error with its file, line and path, and exits 1', async () => {
    const file = join(fx.dir, 'bad.yaml');
    await writeFile(file, ['networking:', '  replicateServices:', '    toHost:', '      - from: a/b/c', '        to: web', ''].join('\n'));
    const result = await run(['validate', file, '--tenant', 'a'], env);
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`${file}:4: networking\\.replicateServices\\.toHost\\[0\\]\\.from: "a/b/c" has 3 parts`));
  });

  it('validate accepts the tenants file and every config it names', async () => {
    const result = await run(['validate', join(fx.dir, 'tenants.yaml')], env);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /tenant a: 2 mapping\(s\) valid/);
  });

  it('validate warns when network policies would block replicated traffic', async () => {
    const file = join(fx.dir, 'policies.yaml');
    await writeFile(file, ['networking:', '  replicateServices:', '    fromHost:', '      - { from: shared/db, to: default/db }', 'policies:', '  networkPolicy:', '    enabled: true', ''].join('\n'));
    const result = await run(['validate', file, '--tenant', 'a'], env);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /policies\.networkPolicy\.workload\.egress: no egress rule lets the tenant's pods reach host namespace "shared".*\(warning\)/);
  });

  it('plan shows what a config would create and delete, against live state, and writes nothing', async () => {
    const versionBefore = await fx.publishedVersion('a');
    assert.equal(typeof versionBefore, 'number', 'tenant a has a published config');
    const writerLogBefore = (await fx.replicator.log('writer')).length;
    const file = join(fx.dir, 'next.yaml');
    await writeFile(file, ['networking:', '  replicateServices:', '    fromHost:', '      - { from: shared/db, to: default/db }', '      - { from: shared/new, to: default/new }', ''].join('\n'));
    const result = await run(['plan', file, '--tenant', 'a'], env);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /added .*host:shared\/new.*\n\s+would create tenant Service default\/new/);
    assert.match(result.stdout, /would create tenant EndpointSlice default\/new-ipv4/);
    assert.match(result.stdout, /removed .*\(entry removed\).*tenant:default\/old\n\s+would delete tenant Service default\/old/);
    assert.match(result.stdout, /unchanged .*host:shared\/db.*\n\s+no change: tenant Service default\/db is in sync/);

    // Anything plan had set off would go through Redis and the writer: a change made after it,
    // once carried out, shows the writer has passed everything queued before it.
    assert.equal(await fx.publishedVersion('a'), versionBefore);
    await fx.hostCore.patchNamespacedService({ namespace: 'shared', name: 'db', body: [{ op: 'replace', path: '/spec/ports/0/port', value: 81 }] });
    await eventually(async () => ((await fx.tenant('a').core.readNamespacedService({ namespace: 'default', name: 'db' })).spec?.ports?.[0].port === 81 ? true : undefined));
    // The writer logs a pass once all of it is done (the Service, then its EndpointSlices), which
    // can be after the Service shows the new port: wait for the line.
    const writesSince = await eventually(async () => {
      const lines = (await fx.replicator.log('writer')).slice(writerLogBefore).split('\n').filter((line) => line.includes('"wrote"'));
      return lines.some((line) => line.includes('"key":"a/fromHost/default/db"')) ? lines : undefined;
    });
    assert.deepEqual(writesSince.filter((line) => /"key":"a\/fromHost\/default\/(new|old)"/.test(line)), []);
    assert.equal(await statusOf(fx.tenant('a').core.readNamespacedService({ namespace: 'default', name: 'new' })), 404);
    assert.equal(await statusOf(fx.tenant('a').core.readNamespacedService({ namespace: 'default', name: 'old' })), 200);
  });
});
