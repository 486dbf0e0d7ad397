import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { repoRoot, runProcess } from '@service-replicator/control-plane-harness';
import { ReplicationFixture } from './support/replication-fixture';
import { serverSuite } from './support/server-suite';
import { eventually } from './support/wait';

const MAX_MAPPINGS = 260;
/** More rows than one /status page holds (200). */
const MANY = 250;

/**
 * One tenant's size is bounded (a config over the limit is refused with its path, the last good one
 * stays), its removed mappings leave no status records behind (kept toHost mirrors excepted), and
 * the status surfaces stay small however many mappings there are: /status pages by 200 rows,
 * problems first; /status.json takes `limit` and `cursor`; the CLI shows at most `--limit` rows.
 */
serverSuite('per-tenant limits, status records and a paged status view', () => {
  let fx: ReplicationFixture;
  let statusUrl: string;

  before(async () => {
    fx = await ReplicationFixture.start({
      prefix: 'e2e-limits',
      fromHostNamespaces: ['shared', 'config'],
      env: { MAX_MAPPINGS_PER_TENANT: String(MAX_MAPPINGS), MAX_SOURCE_NAMESPACES_PER_TENANT: '2' },
    });
    statusUrl = await fx.replicator.httpAddress('config-watcher');
    await fx.hostCore.createNamespacedService({ namespace: 'shared', body: { metadata: { name: 'db' }, spec: { ports: [{ port: 5432 }] } } });
    await fx.tenant('a').core.createNamespacedService({ namespace: 'default', body: { metadata: { name: 'web' }, spec: { ports: [{ port: 80 }] } } });
  });
  after(async () => fx?.stop());

  it('refuses a config over the mapping limit at its first entry over, and keeps the last good one', async () => {
    await fx.configure('a', { fromHost: [{ from: 'shared/db', to: 'default/db' }], toHost: [{ from: 'default/web', to: 'web-a' }] });
    await eventually(async () => ((await fx.status('a/fromHost/default/db'))?.state === 'in-sync' ? true : undefined), 60_000);
    const version = await fx.publishedVersion('a');
    const entries = Array.from({ length: MAX_MAPPINGS + 1 }, (_, n) => ({ from: `shared/s${n}`, to: `default/s${n}` }));
    await fx.configure('a', { fromHost: entries });
    const check = await eventually(async () => ((await fx.configCheck('a'))?.valid === false ? fx.configCheck('a') : undefined));
    assert.deepEqual(check?.issues.map((issue) => [issue.path, issue.message]), [
      [`networking.replicateServices.fromHost[${MAX_MAPPINGS}]`, `tenant "a" has ${MAX_MAPPINGS + 1} entries; at most ${MAX_MAPPINGS} are allowed per tenant (MAX_MAPPINGS_PER_TENANT), and this is the first one over`],
    ]);
    assert.equal(await fx.publishedVersion('a'), version);
  });

  it('refuses a third distinct fromHost source namespace when two are allowed', async () => {
    await fx.configure('a', { fromHost: [{ from: 'shared/db', to: 'default/db' }, { from: 'db2', to: 'default/db2' }, { from: 'config/x', to: 'default/x' }] });
    const check = await eventually(async () => {
      const found = await fx.configCheck('a');
      return found?.issues.some((issue) => issue.message.includes('MAX_SOURCE_NAMESPACES_PER_TENANT')) ? found : undefined;
    });
    assert.deepEqual(check.issues.map((issue) => [issue.path, issue.message]), [
      [
        'networking.replicateServices.fromHost[2].from',
        'namespace "config" would make 3 distinct fromHost source namespaces for tenant "a"; at most 2 are allowed (MAX_SOURCE_NAMESPACES_PER_TENANT)',
      ],
    ]);
  });

  it('cuts a huge value echoed in an error: a 2 MB name costs a few kB in the config check and the log', async () => {
    await fx.configure('a', { fromHost: [{ from: `shared/${'x'.repeat(2_000_000)}`, to: 'default/huge' }] });
    const raw = await eventually(async () => {
      const value = await fx.redis.hget(`${fx.prefix}:replicator:config-checks`, 'a');
      return value?.includes('is not a valid service name') ? value : undefined;
    }, 60_000);
    assert.ok(raw.length < 5_000, `config check record: ${raw.length} characters`);
    assert.match(raw, /…\\" \(2000000 characters\) is not a valid service name/);
    const longest = Math.max(...(await fx.replicator.log('config-watcher')).split('\n').map((line) => line.length));
    assert.ok(longest < 20_000, `longest config-watcher log line: ${longest} characters`);
  });

  it("deletes the status records of removed mappings, keeping only kept toHost mirrors' rows", async () => {
    const entries = Array.from({ length: MANY }, (_, n) => ({ from: `shared/s${n}`, to: `default/s${n}` }));
    await fx.configure('a', { fromHost: [{ from: 'shared/db', to: 'default/db' }, ...entries], toHost: [{ from: 'default/web', to: 'web-a' }] });
    // Sources s0..s249 do not exist: each pass records its key as pending, which the status view pages through.
    await eventually(async () => ((await fx.redis.hlen(`${fx.prefix}:replicator:status`)) >= MANY + 2 ? true : undefined), 120_000);

    const page1 = await (await fetch(`${statusUrl}/status?refresh=0`)).text();
    assert.equal(rowsIn(page1), 200);
    assert.match(page1, /page 1: rows 1–200 of 252, problems first/);
    const page2 = await (await fetch(`${statusUrl}/status?refresh=0&page=2`)).text();
    assert.equal(rowsIn(page2), 52);
    assert.match(page2, /data-key="a\/fromHost\/default\/db" data-state="in-sync"/, 'rows in sync come after the problems');

    const json = (await (await fetch(`${statusUrl}/status.json?limit=100`)).json()) as PagedJson;
    assert.equal(json.tenants.flatMap((t) => t.rows).length, 100);
    assert.deepEqual(json.page, { offset: 0, limit: 100, total: 252, nextCursor: '100' });
    const rest = (await (await fetch(`${statusUrl}/status.json?limit=1000&cursor=200`)).json()) as PagedJson;
    assert.deepEqual(rest.page, { offset: 200, limit: 1000, total: 252 });
    const bad = await fetch(`${statusUrl}/status.json?limit=lots`);
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { message: string }).message, /limit must be a whole number from 1 to 10000, got "lots"/);

    const cli = await runProcess(process.execPath, [join(repoRoot, 'tools/cli/dist/main.js'), 'status', '--limit=10'], {
      env: { ...process.env, REDIS_URL: fx.redisServer.url, QUEUE_PREFIX: fx.prefix },
    });
    assert.match(cli.stdout, /242 more row\(s\) not shown, all less urgent than these \(--limit=0 shows every row\)/);

    await fx.configure('a', {});
    await eventually(async () => {
      const keys = await fx.redis.hkeys(`${fx.prefix}:replicator:status`);
      return keys.length === 1 ? keys : undefined;
    }, 120_000).then((keys) => assert.deepEqual(keys, ['a/toHost/vc-a/web-a']));
    assert.equal((await fx.status('a/toHost/vc-a/web-a'))?.state, 'kept');
  });
});

interface PagedJson {
  readonly tenants: { readonly rows: unknown[] }[];
  readonly page: object;
}

function rowsIn(page: string): number {
  return [...page.matchAll(/<tr data-key=/g)].length;
}
