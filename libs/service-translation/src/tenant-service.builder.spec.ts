import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromHostMapping, service } from './service.fixtures';
import { buildTenantService } from './tenant-service.builder';

const ownMetadata = {
  name: 'pg',
  namespace: 'default',
  labels: {
    'app.kubernetes.io/managed-by': 'service-replicator',
    'replicator.service-replicator.io/tenant': 'blue',
    'replicator.service-replicator.io/direction': 'fromHost',
  },
  annotations: { 'replicator.service-replicator.io/source': 'host:db/postgres', 'vcluster.loft.sh/controlled-by': 'service-replicator' },
};

describe('buildTenantService', () => {
  it('mirrors a LoadBalancer host Service as a headless ClusterIP Service without selector or nodePorts', () => {
    const host = service('db', 'postgres', {
      type: 'LoadBalancer',
      clusterIP: '10.96.0.10',
      clusterIPs: ['10.96.0.10'],
      selector: { app: 'postgres' },
      ports: [
        { name: 'pg', protocol: 'TCP', port: 5432, targetPort: 'pg', nodePort: 31000, appProtocol: 'postgresql' },
        { name: 'metrics', port: 9187 },
      ],
    });
    assert.deepEqual(buildTenantService(host, fromHostMapping), {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: ownMetadata,
      spec: {
        type: 'ClusterIP',
        clusterIP: 'None',
        clusterIPs: ['None'],
        ports: [
          { name: 'pg', protocol: 'TCP', port: 5432, targetPort: 'pg', appProtocol: 'postgresql' },
          { name: 'metrics', port: 9187 },
        ],
      },
    });
  });

  it('mirrors an ExternalName host Service as ExternalName, without clusterIP', () => {
    const host = service('db', 'postgres', {
      type: 'ExternalName',
      externalName: 'db.example.com',
      ports: [{ port: 5432 }],
    });
    assert.deepEqual(buildTenantService(host, fromHostMapping).spec, {
      type: 'ExternalName',
      externalName: 'db.example.com',
      ports: [{ port: 5432 }],
    });
  });
});
