import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import type { V1Service } from '@kubernetes/client-node';
import { startRedis, type RedisServer } from '@service-replicator/control-plane-harness';
import { ClusterRegistry } from '@service-replicator/kube';
import { InMemoryClusters } from '@service-replicator/kube/testing';
import { ReconcileProcessor, ReconcilerModule } from '@service-replicator/reconciler/reconciler.module';
import { mappingKeyOf, type Mapping, type TenantSpec } from '@service-replicator/replication-config';
import { HOST_CLUSTER, MappingStore, ReconcileQueue, ReplicatorRedisModule, SnapshotStore, StatusStore, tenantCluster } from '@service-replicator/replication-queue';
import { givenSettingsModule, loadSettings, RuntimeModule } from '@service-replicator/runtime';
import { serverSuite } from './support/server-suite';
import { eventually } from './support/wait';

const TENANT: TenantSpec = { name: 'a', hostNamespace: 'vc-a', kubeconfig: { file: '/nowhere' }, allowedHostNamespaces: [], fromHostNamespaces: ['shared'], config: { file: '/nowhere' }, toHostMode: 'selector' };
const MAPPING: Mapping = { tenant: 'a', direction: 'fromHost', source: { namespace: 'shared', name: 'db' }, target: { namespace: 'default', name: 'db' } };
const SOURCE: V1Service = { metadata: { namespace: 'shared', name: 'db' }, spec: { type: 'ClusterIP', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ name: 'pg', protocol: 'TCP', port: 5432 }] } };

serverSuite('the writer as a Nest testing module (real Redis and BullMQ, in-memory clusters)', () => {
  let redis: RedisServer;
  let app: INestApplication | undefined;
  let clusters: InMemoryClusters;

  before(async () => {
    redis = await startRedis();
    clusters = new InMemoryClusters();
    const settings = loadSettings({ REDIS_URL: redis.url, QUEUE_PREFIX: 'e2e-nest', WRITER_CONCURRENCY: '3', HOST_KUBECONFIG: '/nowhere' });
    const moduleRef = await Test.createTestingModule({
      imports: [RuntimeModule.forApp('writer', givenSettingsModule(settings)), ReplicatorRedisModule.forApp('writer', { queueRole: 'worker' }), ReconcilerModule],
    })
      .overrideProvider(ClusterRegistry)
      .useValue(clusters)
      .compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });
  after(async () => {
    await app?.close();
    await redis?.stop();
  });

  it('runs a job of the real queue through the real Reconciler into the clusters given by overrideProvider', async () => {
    const nest = app ?? assert.fail('the app started');
    assert.equal(nest.get(ReconcileProcessor).worker.concurrency, 3, 'WRITER_CONCURRENCY reached the worker');
    clusters.host.addNamespaces('shared').seed('Service', SOURCE);
    const snapshots = nest.get(SnapshotStore);
    await snapshots.putService(HOST_CLUSTER, clusters.host.get<V1Service>('Service', MAPPING.source) ?? assert.fail('seeded'));
    await snapshots.markSynced(HOST_CLUSTER, ['shared'], 'test');
    await snapshots.markSynced(tenantCluster('a'), ['default'], 'test');
    await nest.get(MappingStore).publish(TENANT, [MAPPING]);
    await nest.get(ReconcileQueue).enqueue([mappingKeyOf(MAPPING)], 'test');
    const status = await eventually(async () => {
      const record = await nest.get(StatusStore).get(mappingKeyOf(MAPPING));
      return record?.state === 'in-sync' ? record : undefined;
    });
    assert.match(status.message, /^create tenant a Service default\/db; create tenant a EndpointSlice default\/db-ipv4/);
    assert.deepEqual(clusters.tenantCluster('a').writes, ['create Service default/db', 'create EndpointSlice default/db-ipv4']);
  });

  it('closes its worker and every Redis connection it opened when the app closes', async () => {
    const observer = new Redis(redis.url);
    try {
      // Every client but the observer: the stores', BullMQ's and its worker's blocking connection.
      const others = async () => ((await observer.call('CLIENT', 'LIST')) as string).trim().split('\n').filter((line) => !/ cmd=client\|list /.test(line));
      assert.ok((await others()).some((line) => / name=writer-stores /.test(line)));
      await app?.close();
      app = undefined;
      await eventually(async () => ((await others()).length === 0 ? true : undefined), 10_000);
    } finally {
      observer.disconnect();
    }
  });
});
