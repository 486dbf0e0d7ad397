import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { repoRoot, runProcess, type ProcessResult } from '@service-replicator/control-plane-harness';
import { VCLUSTER_NETWORKING_KEYS, VCLUSTER_TOP_LEVEL_KEYS } from '@service-replicator/replication-config';
import { serverSuite } from './support/server-suite';

/**
 * vCluster's own values files, chart values and e2e configs (test/data/vcluster, see its README)
 * must stay valid for us: whatever vCluster accepts at the top level and under `networking`, we
 * accept, and only that (the same lists as its schema).
 */

const DATA = join(repoRoot, 'test/data/vcluster');
const cli = join(repoRoot, 'tools/cli/dist/main.js');
const CONFIGS = [
  'chart/values.yaml',
  'config/values.yaml',
  'test/commonValues.yaml',
  'test/conformanceValues.yaml',
  'test/proValues.yaml',
  'e2e/vcluster-default.yaml',
  'e2e/vcluster-gatewayapi.yaml',
  'e2e/vcluster-isolation-mode.yaml',
  'e2e/vcluster-metricsproxy.yaml',
  'e2e/vcluster-node.yaml',
  'e2e/vcluster-scheduler.yaml',
  'e2e/vcluster-servicesync.yaml',
];

/** vCluster's e2e set-up fills these Go templates in with text/template; the same values here. */
const TEMPLATE_VALUES: Readonly<Record<string, string>> = {
  Repository: 'ghcr.io/loft-sh/vcluster-oss',
  Tag: 'dev-next',
  HostClusterName: 'kind-cluster',
};

function render(template: string): string {
  return template
    .replace(/\{\{\s*printf\s+"((?:[^"\\]|\\.)*)"\s*\}\}/g, (_, literal: string) => literal)
    .replace(/\{\{\s*\.(\w+)\s*\}\}/g, (_, name: string) => {
      const value = TEMPLATE_VALUES[name];
      if (value === undefined) throw new Error(`no value for template variable .${name}`);
      return value;
    });
}

/**
 * `npm run cli -- validate FILE`, for a stand-in tenant whose host namespace is vcluster-a and who
 * is granted the host namespaces vCluster's test and e2e configs read from (as a tenants file would).
 */
function validate(file: string): Promise<ProcessResult> {
  return runProcess(process.execPath, [cli, 'validate', file, '--host-namespace', 'vcluster-a', '--from-host', 'test,fromhost-svc,fromhost-nginx']);
}

serverSuite("vCluster's own configs", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sr-vcluster-configs-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('the keys we accept at the top level and under networking are those of vCluster\'s schema', async () => {
    const schema = JSON.parse(await readFile(join(DATA, 'chart/values.schema.json'), 'utf8'));
    assert.equal(schema.additionalProperties, false);
    assert.deepEqual([...VCLUSTER_TOP_LEVEL_KEYS].sort(), Object.keys(schema.properties).sort());
    const networking = schema.$defs[schema.properties.networking.$ref.replace('#/$defs/', '')];
    assert.equal(networking.additionalProperties, false);
    assert.deepEqual([...VCLUSTER_NETWORKING_KEYS].sort(), Object.keys(networking.properties).sort());
  });

  for (const config of CONFIGS) {
    it(`${config} is valid (validate exits 0)`, async () => {
      const file = join(dir, config.replaceAll('/', '_'));
      await writeFile(file, render(await readFile(join(DATA, config), 'utf8')));
      const result = await validate(file);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /valid for tenant/);
    });
  }

  it('its e2e servicesync config gives its four mappings', async () => {
    const file = join(dir, 'servicesync.yaml');
    await writeFile(file, render(await readFile(join(DATA, 'e2e/vcluster-servicesync.yaml'), 'utf8')));
    const { stdout } = await validate(file);
    assert.match(stdout, /fromHost +fromhost-svc\/svc-test -> default\/svc-test/);
    assert.match(stdout, /toHost +tohost-svc\/svc-test -> vcluster-a\/svc-test/);
    assert.equal(stdout.match(/ -> /g)?.length, 4);
  });

  it('the chart values with a misspelt or misplaced replicateServices are refused, with the fix', async () => {
    const values = await readFile(join(DATA, 'chart/values.yaml'), 'utf8');
    const cases = [
      { text: values.replace(/^ {2}replicateServices:/m, '  replicatServices:'), expected: /networking\.replicatServices: unknown key under networking .*did you mean "networking\.replicateServices"\?/ },
      { text: `${values}\nreplicateServices:\n  fromHost: []\n`, expected: /replicateServices: unknown top-level key; did you mean "networking\.replicateServices"\?/ },
      { text: `${values}\nmapServices:\n  fromVirtual: []\n`, expected: /mapServices: the legacy .* mapServices\.fromVirtual as networking\.replicateServices\.toHost/ },
    ];
    for (const { text, expected } of cases) {
      const file = join(dir, 'edited.yaml');
      await writeFile(file, text);
      const result = await validate(file);
      assert.equal(result.code, 1);
      assert.match(result.stderr, expected);
    }
  });
});
