import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ManagedProcess, repoRoot, runProcess, type ProcessResult } from '@service-replicator/control-plane-harness';
import { ReplicationFixture } from './support/replication-fixture';
import { serverSuite } from './support/server-suite';
import { eventually } from './support/wait';

const CLI = join(repoRoot, 'tools', 'cli', 'dist', 'main.js');
const SCREENSHOT = join(repoRoot, 'docs', 'status-page.png');
const TRACE_UI_URL = 'http://localhost:16686/trace/{traceId}';
// Debian's Chromium (scripts/setup.sh installs it): a test tool's own browser download is refused
// here. The flags keep it off the network it would otherwise call at every start.
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const DB = 'a/fromHost/default/db';
const TAKEN = 'a/fromHost/default/taken';
const MISSING = 'a/fromHost/default/missing';
const API = 'b/toHost/vc-b/api';
const BAD_CONFIG = ['networking:', '  replicateServices:', '    fromHost:', '      - from: shared/db', '        to: default/Bad_Name', ''].join('\n');

interface StatusRecord {
  readonly state: string;
  readonly message: string;
  readonly lastSyncAt?: string;
  readonly traceId?: string;
}

interface ReportRow extends StatusRecord {
  readonly key: string;
  readonly configured: boolean;
}

interface Report {
  readonly healthy: boolean;
  readonly tenants: readonly { tenant: string; config?: { valid: boolean; issues: { path: string; line?: number; message: string }[] }; rows: ReportRow[] }[];
  readonly queue?: { name: string };
}

/** One of each: in sync, conflict, pending (no source), kept (mapping removed) and a refused config. */
async function replicateAndBreakThings(fx: ReplicationFixture): Promise<void> {
  await fx.hostCore.createNamespacedService({ namespace: 'shared', body: { metadata: { name: 'db' }, spec: { ports: [{ port: 5432 }] } } });
  // A Service of the user's own, with the name a mapping asks for: a conflict.
  await fx.tenant('a').core.createNamespacedService({
    namespace: 'default',
    body: { metadata: { name: 'taken' }, spec: { selector: { app: 'theirs' }, ports: [{ port: 1234 }] } },
  });
  await fx.tenant('b').core.createNamespacedService({ namespace: 'default', body: { metadata: { name: 'api' }, spec: { selector: { app: 'api' }, ports: [{ port: 80 }] } } });
  await fx.configure('a', {
    fromHost: [
      { from: 'shared/db', to: 'default/db' },
      { from: 'shared/db', to: 'default/taken' },
      { from: 'shared/missing', to: 'default/missing' },
    ],
  });
  await fx.configure('b', { toHost: [{ from: 'default/api', to: 'api' }] });
  await stateOf(fx, DB, 'in-sync');
  await stateOf(fx, TAKEN, 'conflict');
  await stateOf(fx, MISSING, 'pending');
  await stateOf(fx, API, 'in-sync');
  // Removed from the config, the toHost mirror is kept; then a bad config is refused.
  await fx.writeRawConfig('b', 'networking: {}\n');
  await stateOf(fx, API, 'kept');
  await fx.writeRawConfig('b', BAD_CONFIG);
  await eventually(async () => ((await fx.configCheck('b'))?.valid === false ? true : undefined));
}

async function stateOf(fx: ReplicationFixture, key: string, state: string): Promise<void> {
  await eventually(async () => ((await fx.status(key))?.state === state ? true : undefined), 60_000);
}

async function record(fx: ReplicationFixture, key: string): Promise<StatusRecord> {
  const raw = await fx.redis.hget(`${fx.prefix}:replicator:status`, key);
  assert.ok(raw, `a status record for ${key}`);
  return JSON.parse(raw) as StatusRecord;
}

function cliEnv(fx: ReplicationFixture): NodeJS.ProcessEnv {
  return { ...process.env, REDIS_URL: fx.redisServer.url, QUEUE_PREFIX: fx.prefix };
}

/** The CLI as a user runs it, against the fixture's Redis; resolves with its output and exit code. */
function cli(fx: ReplicationFixture, ...args: string[]): Promise<ProcessResult> {
  return runProcess(process.execPath, [CLI, ...args], { env: cliEnv(fx) });
}

/** What a person reads in the "last sync" cell: the local clock time of the record's lastSyncAt. */
function clockTime(iso: string): string {
  return new Date(iso).toTimeString().slice(0, 8);
}

serverSuite('status view: the CLI and config-watcher\'s /status page', () => {
  let fx: ReplicationFixture;
  let browser: Browser;
  let page: Page;
  let base: string;

  before(async () => {
    // Console traces give every pass a real trace id, without a collector to run.
    fx = await ReplicationFixture.start({ prefix: 'e2e-status', env: { TRACE_UI_URL, OTEL_TRACES_EXPORTER: 'console' } });
    await replicateAndBreakThings(fx);
    base = await fx.replicator.httpAddress('config-watcher');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  });
  after(async () => {
    await browser?.close();
    await fx?.stop();
  });

  it('status --json shows every state and message, the refused config, and exits 1', async () => {
    const { code, stdout, stderr } = await cli(fx, 'status', '--json');
    assert.equal(code, 1, stderr);
    const report = JSON.parse(stdout) as Report;
    const rows = new Map(report.tenants.flatMap((tenant) => tenant.rows).map((row) => [row.key, row]));
    assert.deepEqual([DB, TAKEN, MISSING, API].map((key) => rows.get(key)?.state), ['in-sync', 'conflict', 'pending', 'kept']);
    assert.match(rows.get(TAKEN)?.message ?? '', /not managed by service-replicator|left untouched/);
    assert.match(rows.get(MISSING)?.message ?? '', /host Service shared\/missing does not exist/);
    assert.equal(rows.get(API)?.configured, false);
    assert.equal(rows.get(DB)?.lastSyncAt, (await record(fx, DB)).lastSyncAt);
    const b = report.tenants.find((tenant) => tenant.tenant === 'b');
    assert.equal(b?.config?.valid, false);
    assert.deepEqual(b?.config?.issues.map((issue) => [issue.path, issue.line]), [['networking.replicateServices.fromHost[0].to', 5]]);
    assert.equal(report.queue?.name, 'reconcile');
  });

  it('status prints the table with the same states and the config issue', async () => {
    const { code, stdout } = await cli(fx, 'status');
    assert.equal(code, 1);
    assert.match(stdout, /^a +fromHost +host:shared\/db +tenant:default\/taken +conflict /m);
    assert.match(stdout, /^b +toHost +tenant:default\/api +host:vc-b\/api +kept .*\(no longer in the config\)/m);
    assert.match(stdout, /^tenant b: config refused \(version \d+ stays in force\)\n {2}networking\.replicateServices\.fromHost\[0\]\.to: .*Bad_Name.* \(line 5\)$/m);
  });

  it('status --watch --json prints a report and ends on Ctrl-C with the verdict', async () => {
    const watcher = new ManagedProcess('cli status --watch', process.execPath, [CLI, 'status', '--watch', '--json', '--interval=0.5'], { env: cliEnv(fx) });
    // Generous: on a loaded machine the first report has taken over 10 s.
    await eventually(() => (watcher.stdout.includes('\n') ? true : undefined), 60_000);
    watcher.killGroup('SIGINT');
    assert.deepEqual(await watcher.exited, { code: 1, signal: null });
    assert.equal((JSON.parse(watcher.stdout.split('\n')[0]) as Report).healthy, false);
  });

  it('the page shows each row\'s badge, the conflict message, the last sync time and trace, and the refused config', async () => {
    await page.goto(`${base}/status`);
    assert.equal(await page.locator('meta[http-equiv="refresh"]').getAttribute('content'), '2');
    const conflict = page.locator(`tr[data-key="${TAKEN}"]`);
    assert.equal(await conflict.locator('.badge').textContent(), 'conflict');
    assert.equal((await conflict.locator('td.message').textContent())?.trim(), (await record(fx, TAKEN)).message);
    await eventually(async () => {
      // Read, then compare: a resync may write a newer sync time between two reloads.
      const synced = await record(fx, DB);
      const row = page.locator(`tr[data-key="${DB}"]`);
      const shown = await row.locator('td.last-sync time').getAttribute('datetime');
      if (shown !== synced.lastSyncAt || !synced.lastSyncAt) return undefined;
      assert.equal(await row.locator('.badge').textContent(), 'in sync');
      assert.equal(await row.locator('td.last-sync time').textContent(), clockTime(synced.lastSyncAt));
      if (synced.traceId) assert.equal(await row.locator('td.trace a').getAttribute('href'), TRACE_UI_URL.replace('{traceId}', synced.traceId));
      return true;
    }, 10_000, 500);
    assert.equal(await page.locator(`tr[data-key="${MISSING}"] .badge`).textContent(), 'pending');
    assert.equal(await page.locator(`tr[data-key="${API}"] .badge`).textContent(), 'kept');
    const refused = page.locator('#tenant-b .config.refused');
    assert.match((await refused.textContent()) ?? '', /config refused[\s\S]*networking\.replicateServices\.fromHost\[0\]\.to[\s\S]*line 5[\s\S]*Bad_Name/);
  });

  it('the page reloads itself, and serves the same report as JSON', async () => {
    const updated = () => page.locator('header time').getAttribute('datetime');
    const first = await updated();
    await eventually(async () => ((await updated()) !== first ? true : undefined), 10_000, 250);
    const response = await fetch(`${base}/status.json`);
    assert.equal(response.status, 200);
    assert.deepEqual(((await response.json()) as Report).tenants.map((tenant) => tenant.tenant), ['a', 'b']);
  });

  it('/queues shows Bull Board with the reconcile queue', async () => {
    await page.goto(`${base}/queues`);
    await page.getByText('reconcile', { exact: true }).first().waitFor({ timeout: 15_000 });
  });

  it('renders the page to a full-page screenshot (written to docs/status-page.png with UPDATE_SCREENSHOT=1)', async () => {
    // Taken at once after loading: the next reload is 2 s away.
    await page.goto(`${base}/status`);
    const png = await page.screenshot({ fullPage: true });
    assert.deepEqual([...png.subarray(1, 4)].map((byte) => String.fromCharCode(byte)).join(''), 'PNG');
    // Width and height from the IHDR chunk: the page has real content, not an empty body.
    assert.ok(png.readUInt32BE(16) >= 800 && png.readUInt32BE(20) >= 400, `screenshot is ${png.readUInt32BE(16)}x${png.readUInt32BE(20)}`);
    if (process.env.UPDATE_SCREENSHOT === '1') await writeFile(SCREENSHOT, png);
  });
});
