import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { V1Deployment, V1EnvVar } from '@kubernetes/client-node';
import { loadSettings } from '@service-replicator/runtime/settings';
import { CHART, ofKind, renderChart, runHelm } from './support/helm-chart';
import { RELEASE, VALUES } from './support/chart-values';
import { serverSuite } from './support/server-suite';

/**
 * The chart's Redis values (TLS certificates from a Secret, Sentinel, Cluster), rendered by the
 * real helm: what each app's container gets, that the apps' own settings accept it, and the
 * combinations refused with what to change.
 */

const APPS = ['config-watcher', 'host-watcher', 'tenant-watcher', 'writer'];
const TLS_DIR = '/var/run/secrets/service-replicator/redis-tls';

/** Each app's container env (values and Secret references) and volumes. */
async function containers(values: object) {
  const deployments = ofKind(await renderChart(RELEASE, { ...VALUES, ...values }), 'Deployment') as V1Deployment[];
  return new Map(
    deployments.map((deployment) => {
      const pod = deployment.spec?.template.spec;
      const container = pod?.containers[0];
      return [container?.args?.[0] ?? '', { env: container?.env ?? [], mounts: container?.volumeMounts ?? [], volumes: pod?.volumes ?? [] }] as const;
    }),
  );
}

const valuesOf = (env: readonly V1EnvVar[]) => Object.fromEntries(env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value]));

serverSuite('helm chart: Redis', () => {
  it('TLS: mounts the Secret into every pod and points the apps at its CA and client certificate', async () => {
    const tls = { secretName: 'redis-client-tls', ca: 'ca.crt', clientCert: 'tls.crt', clientKey: 'tls.key' };
    const rendered = await containers({ redis: { url: 'rediss://replicator@redis.data:6380', tls } });
    assert.deepEqual([...rendered.keys()].sort(), APPS);
    for (const [app, { env, mounts, volumes }] of rendered) {
      const given = valuesOf(env);
      assert.equal(given.REDIS_TLS_CA_FILE, `${TLS_DIR}/ca.crt`, app);
      assert.equal(given.REDIS_TLS_CERT_FILE, `${TLS_DIR}/tls.crt`, app);
      assert.equal(given.REDIS_TLS_KEY_FILE, `${TLS_DIR}/tls.key`, app);
      assert.deepEqual(mounts.find((m) => m.name === 'redis-tls'), { name: 'redis-tls', mountPath: TLS_DIR, readOnly: true }, app);
      assert.deepEqual(volumes.find((v) => v.name === 'redis-tls')?.secret, { secretName: 'redis-client-tls' }, app);
    }
    // Without a client certificate only the CA is given; with no TLS Secret, nothing is mounted.
    const caOnly = valuesOf((await containers({ redis: { url: 'rediss://r', tls: { secretName: 's', ca: 'ca.crt' } } })).get('writer')?.env ?? []);
    assert.deepEqual(Object.keys(caOnly).filter((name) => name.startsWith('REDIS_TLS')), ['REDIS_TLS_CA_FILE']);
    const plain = (await containers({})).get('writer');
    assert.equal(plain?.volumes.some((v) => v.name === 'redis-tls'), false);
    assert.equal(plain?.env.some((e) => e.name.startsWith('REDIS_TLS') || e.name.startsWith('REDIS_SENTINEL') || e.name === 'REDIS_CLUSTER_NODES'), false);
  });

  it("Sentinel: the sentinels, the master's name and the sentinels' password from a Secret, accepted by the apps' settings", async () => {
    const sentinel = { enabled: true, sentinels: ['redis-node-0.redis-headless:26379', 'redis-node-1.redis-headless:26379'], masterName: 'mymaster', username: 'watcher', passwordSecret: { name: 'redis', key: 'sentinel-password' } };
    for (const [app, { env }] of await containers({ redis: { url: 'redis://:pw@unused/1', sentinel } })) {
      const given = valuesOf(env);
      assert.equal(given.REDIS_SENTINELS, 'redis-node-0.redis-headless:26379,redis-node-1.redis-headless:26379', app);
      assert.equal(given.REDIS_SENTINEL_MASTER, 'mymaster', app);
      assert.equal(given.REDIS_SENTINEL_USERNAME, 'watcher', app);
      assert.deepEqual(env.find((e) => e.name === 'REDIS_SENTINEL_PASSWORD')?.valueFrom, { secretKeyRef: { name: 'redis', key: 'sentinel-password' } }, app);
      assert.equal(loadSettings({ ...given, REDIS_SENTINEL_PASSWORD: 'from-the-secret' }).REDIS_SENTINEL_MASTER, 'mymaster', app);
    }
  });

  it('Cluster: its nodes, with a hash-tagged prefix, accepted by the apps\u2019 settings', async () => {
    for (const [app, { env }] of await containers({ queuePrefix: '{sr}', redis: { url: 'redis://:pw@unused', cluster: { enabled: true, nodes: ['redis-cluster-0:6379', 'redis-cluster-1:6379'] } } })) {
      const given = valuesOf(env);
      assert.equal(given.REDIS_CLUSTER_NODES, 'redis-cluster-0:6379,redis-cluster-1:6379', app);
      assert.equal(given.QUEUE_PREFIX, '{sr}', app);
      assert.equal(loadSettings(given).REDIS_CLUSTER_NODES, 'redis-cluster-0:6379,redis-cluster-1:6379', app);
    }
  });

  it('NOTES say which Redis, without a password', async () => {
    const result = await runHelm(['install', 'edge', CHART, '--namespace', 'platform', '--dry-run=client'], {
      ...VALUES,
      redis: { url: 'rediss://:s3cret@unused', tls: { secretName: 'redis-tls' }, sentinel: { enabled: true, sentinels: ['s-0:26379', 's-1:26379'], masterName: 'main' } },
    });
    assert.equal(result.status, 0, result.stderr);
    const notes = result.stdout.slice(result.stdout.indexOf('NOTES:'));
    assert.match(notes, /sharing the Redis master main of the sentinels s-0:26379, s-1:26379 \(TLS, certificates from Secret redis-tls\)\./);
    assert.doesNotMatch(notes, /s3cret/);
  });

  it('refuses Redis values that cannot work, saying what to change', async () => {
    const cases = [
      [{ redis: { sentinel: { enabled: true }, cluster: { enabled: true, nodes: ['n:1'] } }, queuePrefix: '{sr}' }, /redis: enable sentinel or cluster, not both/],
      [{ redis: { sentinel: { enabled: true } } }, /redis\.sentinel\.enabled: list the sentinels in redis\.sentinel\.sentinels/],
      [{ redis: { sentinel: { enabled: true, sentinels: ['s-0'] } } }, /\/redis\/sentinel\/sentinels\/0/],
      [{ redis: { cluster: { enabled: true } } }, /redis\.cluster\.enabled: list some of the cluster's nodes/],
      [{ redis: { cluster: { enabled: true, nodes: ['n:6379'] } } }, /queuePrefix "sr": on a Redis Cluster it must hold a hash tag, e\.g\. "\{sr\}"/],
      [{ redis: { url: 'redis://:pw@r', tls: { secretName: 'x' } } }, /redis\.tls\.secretName is set but redis\.url is redis:\/\/r: use rediss:\/\/ for TLS/],
      [{ redis: { url: 'rediss://r', tls: { secretName: 'x', clientCert: 'tls.crt' } } }, /redis\.tls: clientCert and clientKey go together/],
    ] as const;
    for (const [values, expected] of cases) {
      const result = await runHelm(['template', RELEASE.name, CHART], { ...VALUES, ...values });
      assert.notEqual(result.status, 0, JSON.stringify(values));
      assert.match(result.stderr, expected);
      assert.doesNotMatch(result.stderr, /:pw@/, 'no password in the message');
    }
  });
});
