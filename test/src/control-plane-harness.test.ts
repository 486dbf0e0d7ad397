import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { CoreV1Api, makeInformer, RbacAuthorizationV1Api, type V1Service } from '@kubernetes/client-node';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import {
  ManagedProcess,
  mintServiceAccountIdentity,
  runProcess,
  startControlPlane,
  startRedis,
  type ControlPlane,
  type RedisServer,
} from '@service-replicator/control-plane-harness';
import { serverSuite } from './support/server-suite';
import { eventually, isAlive } from './support/wait';

serverSuite('control-plane harness', () => {
  let host: ControlPlane;
  let tenant: ControlPlane;
  let redis: RedisServer;

  before(async () => {
    [host, tenant, redis] = await Promise.all([startControlPlane({ name: 'host' }), startControlPlane({ name: 'tenant' }), startRedis()]);
  });
  after(async () => {
    await Promise.all([host?.stop(), tenant?.stop(), redis?.stop()]);
  });

  it('runs two independent API servers side by side', async () => {
    assert.notEqual(host.server, tenant.server);
    await host.kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: 'only-on-host' } } });
    await assert.rejects(tenant.kubeConfig.makeApiClient(CoreV1Api).readNamespace({ name: 'only-on-host' }), { code: 404 });
  });

  it('allocates a ClusterIP to a new Service, and an informer sees it', async () => {
    const core = host.kubeConfig.makeApiClient(CoreV1Api);
    const informer = makeInformer(host.kubeConfig, '/api/v1/namespaces/default/services', () => core.listNamespacedService({ namespace: 'default' }));
    const seen = new Map<string, V1Service>();
    informer.on('add', (svc) => seen.set(svc.metadata?.name ?? '', svc));
    await informer.start();
    try {
      const created = await core.createNamespacedService({
        namespace: 'default',
        body: { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } },
      });
      assert.match(created.spec?.clusterIP ?? '', /^10\.0\.\d+\.\d+$/);
      const fromInformer = await eventually(() => seen.get('web'));
      assert.equal(fromInformer.spec?.clusterIP, created.spec?.clusterIP);
    } finally {
      await informer.stop();
    }
  });

  it('deletes a namespace for real: the namespace controller empties and removes it', async () => {
    const core = host.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'doomed' } } });
    await core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'cm' }, data: { a: 'b' } } });
    await core.deleteNamespace({ name: 'doomed' });
    await eventually(async () => {
      try {
        await core.readNamespace({ name: 'doomed' });
        return undefined;
      } catch (error) {
        return (error as { code?: number }).code === 404 ? true : undefined;
      }
    }, 60_000);
  });

  it('gives a restricted identity exactly its Role: allowed inside, 403 outside', async () => {
    const admin = host.kubeConfig;
    const identity = await mintServiceAccountIdentity(admin, 'team-a', 'reader');
    const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace: 'team-a',
      body: { metadata: { name: 'service-reader' }, rules: [{ apiGroups: [''], resources: ['services'], verbs: ['get', 'list'] }] },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: 'team-a',
      body: {
        metadata: { name: 'service-reader' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'service-reader' },
        subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: 'team-a' }],
      },
    });
    const core = identity.kubeConfig.makeApiClient(CoreV1Api);
    const list = await eventually(() => core.listNamespacedService({ namespace: 'team-a' }).catch(() => undefined));
    assert.deepEqual(list.items, []);
    await assert.rejects(core.listNamespacedService({ namespace: 'default' }), { code: 403 });
    await assert.rejects(core.createNamespacedService({ namespace: 'team-a', body: { metadata: { name: 'x' }, spec: { ports: [{ port: 1 }] } } }), { code: 403 });
  });

  it('stops the API server alone and starts it again on the same address, with its data; a watch from before a compaction gets 410 Gone', async () => {
    const core = tenant.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'kept' } } });
    const before = await core.listNamespacedConfigMap({ namespace: 'kept' });
    const etcdAndControllers = tenant.pids().length;
    await tenant.stopApiServer();
    await assert.rejects(core.readNamespace({ name: 'kept' }));
    assert.equal(tenant.pids().filter(isAlive).length, etcdAndControllers - 1, 'etcd and kube-controller-manager keep running');
    await tenant.startApiServer();
    assert.equal((await core.readNamespace({ name: 'kept' })).metadata?.name, 'kept');
    await core.createNamespacedConfigMap({ namespace: 'kept', body: { metadata: { name: 'after' } } });
    const revision = await tenant.compactEtcd();
    assert.ok(revision > Number(before.metadata?.resourceVersion), `compacted to ${revision}, past ${before.metadata?.resourceVersion}`);
    await assert.rejects(core.listNamespacedConfigMap({ namespace: 'kept', resourceVersion: before.metadata?.resourceVersion, resourceVersionMatch: 'Exact' }), { code: 410 });
  });

  it('halts Redis and starts it again on the same port, with its data or without', async () => {
    const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    client.on('error', () => undefined);
    try {
      await client.set('k', 'v');
      await redis.halt({ keepData: true });
      await assert.rejects(client.get('k'));
      await redis.startAgain();
      assert.equal(await eventually(() => client.get('k').catch(() => undefined)), 'v');
      await redis.halt();
      await redis.startAgain();
      assert.equal(await eventually(() => client.dbsize().catch(() => undefined)), 0);
    } finally {
      client.disconnect();
    }
  });

  it('carries a BullMQ job from a producer connection to a worker on another connection', async () => {
    const producer = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    const consumer = new Redis(redis.url, { maxRetriesPerRequest: null });
    const queue = new Queue('harness-check', { connection: producer });
    const processed: unknown[] = [];
    const worker = new Worker('harness-check', async (job) => void processed.push(job.data), { connection: consumer });
    try {
      await queue.add('ping', { hello: 'world' });
      await eventually(() => (processed.length > 0 ? true : undefined));
      assert.deepEqual(processed, [{ hello: 'world' }]);
    } finally {
      await worker.close();
      await queue.obliterate({ force: true });
      await queue.close();
      producer.disconnect();
      consumer.disconnect();
    }
  });
});

serverSuite('control-plane harness teardown', () => {
  it('leaves no process behind when a test process fails half-way', async () => {
    const child = join(__dirname, 'support', 'crash-after-start.js');
    const result = await runProcess(process.execPath, [child], { timeoutMs: 180_000 });
    assert.notEqual(result.code, 0, 'the child should have failed');
    const pids = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '[]') as number[];
    assert.equal(pids.length, 4, 'etcd, kube-apiserver, kube-controller-manager and redis-server were started');
    await eventually(() => (pids.every((pid) => !isAlive(pid)) ? true : undefined), 10_000);
  });

  it('leaves no process behind when a test process is killed outright (SIGKILL runs no exit handler)', async () => {
    const child = new ManagedProcess('crash', process.execPath, [join(__dirname, 'support', 'crash-after-start.js'), 'stay']);
    const pids = await eventually(() => {
      const line = child.stdout.trim().split('\n').at(-1);
      return line?.startsWith('[') ? (JSON.parse(line) as number[]) : undefined;
    }, 180_000);
    assert.equal(pids.length, 4);
    assert.ok(pids.every(isAlive), 'the servers run while their test process does');
    child.killGroup('SIGKILL');
    await child.exited;
    await eventually(() => (pids.every((pid) => !isAlive(pid)) ? true : undefined), 10_000);
  });
});
