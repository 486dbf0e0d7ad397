import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';
import type { ClientProxy } from '@nestjs/microservices';
import type { Fence } from '@service-replicator/leases';
import { InMemoryMappingStore } from '@service-replicator/replication-queue/testing';
import { loadSettings, type Logger } from '@service-replicator/runtime';
import { NEVER, of } from 'rxjs';
import { ConfigPass } from './config-pass';
import { ConfigSources } from './config-sources';
import { TenantPublisher } from './tenant-publisher';
import { TenantSources } from './tenant-sources';

const folder = mkdtempSync(join(tmpdir(), 'sr-config-pass-'));
after(() => rmSync(folder, { recursive: true, force: true }));

const TENANTS = `tenants:
  - name: a
    hostNamespace: vc-a
    fromHostNamespaces: [shared]
    kubeconfig: { file: a.kubeconfig }
    config: { file: a.vcluster.yaml }
`;
const entry = (name: string) => `      - from: shared/${name}\n        to: default/${name}\n`;
const vclusterYaml = (...names: string[]) => `networking:\n  replicateServices:\n    fromHost:\n${names.map(entry).join('')}`;

/** A config pass over real files, with Redis's mappings in memory and the queue and announcements recorded. */
function passWorld() {
  const settings = loadSettings({ TENANTS_FILE: join(folder, 'tenants.yaml'), CONFIG_SETTLE_MS: '0' });
  const lines: { level: string; message: string }[] = [];
  const logger = Object.fromEntries(['debug', 'info', 'warn', 'error'].map((level) => [level, (_: object, message: string) => void lines.push({ level, message })])) as unknown as Logger;
  const sources = new ConfigSources(settings.TENANTS_FILE, { read: async () => ({ missing: true }) }, 0);
  const mappings = new InMemoryMappingStore();
  const enqueued: string[] = [];
  const announced: unknown[] = [];
  const announcer = { emit: (_pattern: string, change: unknown) => (announced.push(change), of(undefined)), status: NEVER } as unknown as ClientProxy;
  const queue = { enqueue: async (keys: Iterable<string>) => (enqueued.push(...keys), enqueued.length) };
  const publisher = new TenantPublisher(mappings, queue, logger, announcer);
  const pass = new ConfigPass(settings, sources, new TenantSources(sources, undefined, logger, () => undefined), mappings, publisher, logger);
  const fence = {} as Fence;
  return { run: (reason = 'test') => pass.run(reason, fence), mappings, enqueued, announced, lines };
}

describe('ConfigPass: a config pass against in-memory Redis', () => {
  beforeEach(() => {
    writeFileSync(join(folder, 'tenants.yaml'), TENANTS);
    writeFileSync(join(folder, 'a.vcluster.yaml'), vclusterYaml('db'));
  });

  it('publishes a tenant config, enqueues its keys, announces it and records a valid check', async () => {
    const world = passWorld();
    await world.run();
    const published = await world.mappings.get('a');
    assert.deepEqual(published?.mappings.map((m) => `${m.source.namespace}/${m.source.name} -> ${m.target.namespace}/${m.target.name}`), ['shared/db -> default/db']);
    assert.deepEqual(world.enqueued, ['a/fromHost/default/db']);
    assert.deepEqual(world.announced, [{ tenant: 'a', version: published?.version }]);
    assert.deepEqual((await world.mappings.checks()).map((c) => [c.tenant, c.valid, c.versionInForce]), [['a', true, published?.version]]);
  });

  it('publishes a changed config as a new version, enqueueing only the keys it changes; an unchanged one publishes nothing', async () => {
    const world = passWorld();
    await world.run();
    const first = await world.mappings.get('a');
    writeFileSync(join(folder, 'a.vcluster.yaml'), vclusterYaml('db', 'cache'));
    await world.run('file changed');
    const second = await world.mappings.get('a');
    assert.ok(second && first && second.version > first.version);
    assert.equal(second.mappings.length, 2);
    assert.deepEqual(world.enqueued, ['a/fromHost/default/db', 'a/fromHost/default/cache']);
    await world.run('poll');
    assert.equal((await world.mappings.get('a'))?.version, second.version);
    assert.equal(world.enqueued.length, 2);
  });

  it('keeps the last good config when a new one is invalid: same version, nothing enqueued, the check says where it is wrong', async () => {
    const world = passWorld();
    await world.run();
    const good = await world.mappings.get('a');
    writeFileSync(join(folder, 'a.vcluster.yaml'), 'networking:\n  replicateServices:\n    fromHost:\n      - from: a/b/c\n        to: default/x\n');
    await world.run('file changed');
    assert.deepEqual(await world.mappings.get('a'), good);
    assert.deepEqual(world.enqueued, ['a/fromHost/default/db']);
    const [check] = await world.mappings.checks();
    assert.equal(check.valid, false);
    assert.equal(check.versionInForce, good?.version);
    assert.match(check.issues[0].path, /^networking\.replicateServices\.fromHost\[0\]\.from$/);
    assert.equal(check.issues[0].line, 4);
    assert.ok(world.lines.some((line) => line.level === 'error' && /config is invalid; version \d+ stays in force/.test(line.message)));
  });

  it('publishes again, with a higher version, what Redis lost', async () => {
    const world = passWorld();
    await world.run();
    const before = await world.mappings.get('a');
    world.mappings.flush();
    await world.run('poll');
    const after = await world.mappings.get('a');
    assert.deepEqual(after?.mappings, before?.mappings);
    assert.ok(after && before && after.version > before.version);
  });
});
