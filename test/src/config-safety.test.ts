import assert from 'node:assert/strict';
import { open, readFile, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { ReplicationFixture, statusOf } from './support/replication-fixture';
import { serviceDeleteRequests, ServiceDeletions } from './support/service-deletions';
import { serverSuite } from './support/server-suite';
import { eventually } from './support/wait';

/**
 * A config change never deletes because of how it was written: truncated, half-written (with a
 * short and a long pause), replaced editor-style, deleted and restored, the vcluster.yaml of
 * tenant a and the tenants file alike. Counted by a watch on each tenant cluster (which Services
 * were deleted) and by each tenant API server's own count of Service DELETE requests. An entry
 * really removed loses its mirror once the grace is over, not before.
 */

const GRACE_SECONDS = 12;
const SETTLE_MS = 1_000;
const NAMES = Array.from({ length: 10 }, (_, i) => `s${i}`);
const WAIT_MS = 60_000;

/** One entry a line, so that a file cut at a line boundary is still a valid (shorter) config. */
function configText(names: readonly string[]): string {
  const lines = names.map((name) => `      - { from: shared/${name}, to: default/${name} }`);
  return ['networking:', '  replicateServices:', '    fromHost:', ...lines, '    toHost: []', ''].join('\n');
}

/** Writes `text` in two parts into the same open file, `pauseMs` apart, as a slow writer would. */
async function writeInTwoParts(file: string, text: string, fraction: number, pauseMs: number): Promise<void> {
  const cut = text.lastIndexOf('\n', Math.floor(text.length * fraction)) + 1;
  const handle = await open(file, 'w');
  try {
    await handle.write(text.slice(0, cut));
    await handle.sync();
    await sleep(pauseMs);
    await handle.write(text.slice(cut));
  } finally {
    await handle.close();
  }
}

serverSuite('config safety: how a config is written never deletes a mirror', () => {
  let fx: ReplicationFixture;
  let deletionsA: ServiceDeletions;
  let deletionsB: ServiceDeletions;
  let file: string;
  let tenantsText: string;

  const mirrorsOf = async (names: readonly string[]) =>
    Promise.all(names.map((name) => statusOf(fx.tenant('a').core.readNamespacedService({ namespace: 'default', name }))));
  const allInSync = (tenant: string, names: readonly string[]) =>
    eventually(async () => {
      const states = await Promise.all(names.map(async (name) => (await fx.status(`${tenant}/fromHost/default/${name}`))?.state));
      return states.every((state) => state === 'in-sync') ? true : undefined;
    }, WAIT_MS);
  /**
   * Runs `action` (a write, then a wait for its whole result), noting every removal deadline
   * config-watcher published for `tenant` meanwhile.
   */
  async function watchPublished(tenant: string, action: () => Promise<void>): Promise<{ pendingRemovals: Record<string, string>; retireAt?: string }> {
    const seen: { pendingRemovals: Record<string, string>; retireAt?: string } = { pendingRemovals: {} };
    let acting = true;
    const watching = (async () => {
      while (acting) {
        const published = await fx.published(tenant);
        Object.assign(seen.pendingRemovals, published?.pendingRemovals ?? {});
        seen.retireAt ??= published?.retireAt;
        await sleep(50);
      }
    })();
    try {
      await action();
    } finally {
      acting = false;
      await watching;
    }
    return seen;
  }

  /** How many times config-watcher has published tenant a's mappings, from its log. */
  const publicationsOfA = async () => (await fx.replicator.log('config-watcher')).split('\n').filter((line) => line.includes('"msg":"tenant a: published mappings version')).length;
  const checkMessage = async (tenant: string) => (await fx.configCheck(tenant))?.issues.map((issue) => issue.message).join('\n') ?? '';

  before(async () => {
    fx = await ReplicationFixture.start({
      prefix: 'e2e-config-safety',
      env: { CONFIG_SETTLE_MS: String(SETTLE_MS), REMOVAL_GRACE_SECONDS: String(GRACE_SECONDS) },
    });
    file = fx.tenant('a').configFile;
    tenantsText = await readFile(fx.tenantsFile, 'utf8');
    for (const name of [...NAMES, 'extra', 'more', 'late']) {
      await fx.hostCore.createNamespacedService({ namespace: 'shared', body: { metadata: { name }, spec: { ports: [{ port: 80 }] } } });
    }
    await writeFile(file, configText(NAMES));
    await fx.configure('b', { fromHost: [{ from: 'shared/s0', to: 'default/b0' }, { from: 'shared/s1', to: 'default/b1' }] });
    await allInSync('a', NAMES);
    await allInSync('b', ['b0', 'b1']);
    deletionsA = await ServiceDeletions.watch(fx.tenant('a').cluster);
    deletionsB = await ServiceDeletions.watch(fx.tenant('b').cluster);
  });

  after(async () => {
    deletionsA?.stop();
    deletionsB?.stop();
    await fx?.stop();
  });

  it('a vcluster.yaml truncated to 0 bytes is refused; the mirrors stay', async () => {
    await truncate(file, 0);
    await eventually(async () => ((await checkMessage('a')).includes('the document is empty') ? true : undefined), WAIT_MS);
    assert.deepEqual(await mirrorsOf(NAMES), NAMES.map(() => 200));
    await writeFile(file, configText(NAMES));
    await eventually(async () => ((await fx.configCheck('a'))?.valid ? true : undefined), WAIT_MS);
    assert.deepEqual(deletionsA.names(), []);
    assert.equal(await serviceDeleteRequests(fx.tenant('a').cluster), 0);
  });

  it('a file written in two parts 200 ms apart is taken whole (settle time), never half', async () => {
    const before = await publicationsOfA();
    await writeInTwoParts(file, configText([...NAMES, 'extra']), 0.4, 200);
    await allInSync('a', ['extra']);
    const after = await fx.published('a');
    assert.equal(after?.mappings.length, NAMES.length + 1);
    assert.equal(after?.pendingRemovals, undefined);
    // One publication: the whole file, not its first part first.
    assert.equal(await publicationsOfA(), before + 1);
    assert.deepEqual(deletionsA.names(), []);
  });

  it('a file written in two parts 2 s apart: if the first part is taken, its removals wait out the grace and the rest cancels them', async (t) => {
    const during = await watchPublished('a', async () => {
      await writeInTwoParts(file, configText([...NAMES, 'extra', 'more']), 0.4, 2_000);
      // The rest is read too (it adds "more"), and nothing is left waiting for removal.
      await allInSync('a', ['more']);
      await eventually(async () => ((await fx.published('a'))?.pendingRemovals === undefined ? true : undefined), WAIT_MS);
    });
    const deadlines = Object.values(during.pendingRemovals).map(Date.parse);
    t.diagnostic(`first part taken: ${deadlines.length > 0} (${deadlines.length} removals were pending)`);
    // Past every deadline the first part had set: still nothing deleted.
    await eventually(() => (Date.now() > Math.max(0, ...deadlines) + 1_000 ? true : undefined), WAIT_MS);
    assert.deepEqual(await mirrorsOf([...NAMES, 'extra', 'more']), [...NAMES, 'extra', 'more'].map(() => 200));
    assert.deepEqual(deletionsA.names(), []);
    assert.equal(await serviceDeleteRequests(fx.tenant('a').cluster), 0);
  });

  it('an editor-style save (write a temporary file, rename it over) is one clean change', async () => {
    const temporary = join(fx.dir, '.a.vcluster.yaml.swp');
    await writeFile(temporary, configText([...NAMES, 'extra', 'more', 'late']));
    await rename(temporary, file);
    await allInSync('a', ['late']);
    assert.equal((await fx.published('a'))?.pendingRemovals, undefined);
    assert.deepEqual(deletionsA.names(), []);
  });

  it('a vcluster.yaml deleted and restored: refused while missing, nothing deleted', async () => {
    const text = await readFile(file, 'utf8');
    await rm(file);
    await eventually(async () => ((await checkMessage('a')).includes('ENOENT') ? true : undefined), WAIT_MS);
    await writeFile(file, text);
    await eventually(async () => ((await fx.configCheck('a'))?.valid ? true : undefined), WAIT_MS);
    assert.deepEqual(await mirrorsOf([...NAMES, 'extra', 'more', 'late']), [...NAMES, 'extra', 'more', 'late'].map(() => 200));
    assert.deepEqual(deletionsA.names(), []);
    assert.equal(await serviceDeleteRequests(fx.tenant('a').cluster), 0);
  });

  it('an entry put back within the grace keeps its mirror; one really removed loses it after the grace, not before', async () => {
    await writeFile(file, configText(NAMES.filter((name) => name !== 's1' && name !== 's2')));
    const pending = await eventually(async () => {
      const removals = (await fx.published('a'))?.pendingRemovals ?? {};
      return removals['a/fromHost/default/s1'] && removals['a/fromHost/default/extra'] ? removals : undefined;
    }, WAIT_MS);
    const removeAt = Date.parse(pending['a/fromHost/default/extra']);
    assert.ok(removeAt - Date.now() > (GRACE_SECONDS - 5) * 1_000, 'the grace started now');
    assert.deepEqual(await mirrorsOf(['s1', 'extra', 'more', 'late']), [200, 200, 200, 200]);
    // The status page says so, with the time left.
    const page = await (await fetch(`${await fx.replicator.httpAddress('config-watcher')}/status?refresh=0`)).text();
    assert.match(page, /data-key="a\/fromHost\/default\/extra"[\s\S]*?removal in \d+ s \(entry removed; put it back to keep the mirror\)/);
    await writeFile(file, configText(NAMES.filter((name) => name !== 's2')));
    await eventually(async () => ((await fx.published('a'))?.pendingRemovals?.['a/fromHost/default/s1'] === undefined ? true : undefined), WAIT_MS);
    await eventually(async () => ((await mirrorsOf(['extra']))[0] === 404 ? true : undefined), (GRACE_SECONDS + 30) * 1_000);
    assert.ok(Date.now() >= removeAt, 'deleted only once the grace was over');
    await eventually(async () => ((await mirrorsOf(['s2', 'more', 'late'])).every((code) => code === 404) ? true : undefined), WAIT_MS);
    assert.deepEqual([...deletionsA.names()].sort(), ['default/extra', 'default/late', 'default/more', 'default/s2']);
    assert.deepEqual(await mirrorsOf(['s1']), [200]);
    assert.equal(await serviceDeleteRequests(fx.tenant('a').cluster), 4);
  });

  it('a tenants file written in two parts 2 s apart does not retire the tenant it cut off', async (t) => {
    // The whole file changes tenant b a little (a namespace it may write into), so its reading shows.
    const changed = tenantsText.replace(/( {2}- name: b\n(?: {4}.*\n)*? {4}allowedHostNamespaces:) (?:\[\]|\*\w+)/, '$1 [shared]');
    assert.notEqual(changed, tenantsText, 'tenant b comes second in the tenants file, with no allowed namespaces');
    const during = await watchPublished('b', async () => {
      await writeInTwoParts(fx.tenantsFile, changed, changed.indexOf('  - name: b') / changed.length, 2_000);
      await eventually(async () => ((await fx.published('b'))?.tenant.allowedHostNamespaces.includes('shared') ? true : undefined), WAIT_MS);
    });
    t.diagnostic(`first part taken: ${during.retireAt !== undefined}`);
    assert.equal((await fx.published('b'))?.retireAt, undefined);
    await eventually(() => (Date.now() > Date.parse(during.retireAt ?? '1970-01-01') + 1_000 ? true : undefined), WAIT_MS);
    assert.equal((await fx.published('b'))?.mappings.length, 2);
    assert.deepEqual(deletionsB.names(), []);
    assert.equal(await serviceDeleteRequests(fx.tenant('b').cluster), 0);
    tenantsText = changed;
  });

  it('a tenant really removed from the tenants file is retired after the grace, and published again when it comes back', async () => {
    const withoutB = stringify({ tenants: [(parse(tenantsText) as { tenants: unknown[] }).tenants[0]] });
    await writeFile(fx.tenantsFile, withoutB);
    await eventually(async () => ((await fx.published('b'))?.mappings.length === 0 ? true : undefined), (GRACE_SECONDS + 30) * 1_000);
    await eventually(async () => (deletionsB.names().length === 2 ? true : undefined), WAIT_MS);
    assert.deepEqual([...deletionsB.names()].sort(), ['default/b0', 'default/b1']);
    await writeFile(fx.tenantsFile, tenantsText);
    await eventually(async () => ((await fx.published('b'))?.mappings.length === 2 ? true : undefined), WAIT_MS);
    const mirrorsOfB = () => Promise.all(['b0', 'b1'].map((name) => statusOf(fx.tenant('b').core.readNamespacedService({ namespace: 'default', name }))));
    await eventually(async () => ((await mirrorsOfB()).every((code) => code === 200) ? true : undefined), WAIT_MS);
  });
});
