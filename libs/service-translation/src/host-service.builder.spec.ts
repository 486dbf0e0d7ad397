import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildHostEndpointSlices } from './host-endpoint-slices.builder';
import { buildHostService } from './host-service.builder';
import { controllerSlice, endpoint, service, tenantSpec, toHostMapping } from './service.fixtures';

const webPorts = [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }];

describe('buildHostService', () => {
  it('selector mode: translated selector, ClusterIP without nodePorts, our marker', () => {
    const tenantService = service('shop', 'web', {
      type: 'NodePort',
      clusterIP: '10.0.0.5',
      selector: { app: 'web', release: 'v1' },
      ports: webPorts,
    });
    assert.deepEqual(buildHostService(tenantService, toHostMapping, tenantSpec('selector')), {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'blue-web',
        namespace: 'vc-blue',
        labels: {
          'app.kubernetes.io/managed-by': 'service-replicator',
          'replicator.service-replicator.io/tenant': 'blue',
          'replicator.service-replicator.io/direction': 'toHost',
        },
        annotations: { 'replicator.service-replicator.io/source': 'tenant:shop/web' },
      },
      spec: {
        type: 'ClusterIP',
        ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }],
        selector: {
          app: 'web',
          // printf release | sha256sum -> a4d451ec23...
          'vcluster.loft.sh/label-blue-x-a4d451ec23': 'v1',
          'vcluster.loft.sh/managed-by': 'blue',
          'vcluster.loft.sh/namespace': 'shop',
        },
      },
    });
  });

  it('stays headless when the tenant Service is headless', () => {
    const tenantService = service('shop', 'web', { clusterIP: 'None', selector: { app: 'web' }, ports: webPorts });
    const spec = buildHostService(tenantService, toHostMapping, tenantSpec()).spec;
    assert.equal(spec?.clusterIP, 'None');
    assert.deepEqual(spec?.clusterIPs, ['None']);
  });

  it('endpoints mode: no selector', () => {
    const tenantService = service('shop', 'web', { clusterIP: '10.0.0.5', selector: { app: 'web' }, ports: webPorts });
    const spec = buildHostService(tenantService, toHostMapping, tenantSpec('endpoints')).spec;
    assert.equal(spec?.selector, undefined);
    assert.equal(spec?.clusterIP, undefined);
  });

  it('an ExternalName tenant Service becomes an ExternalName host Service', () => {
    const tenantService = service('shop', 'web', { type: 'ExternalName', externalName: 'web.example.com' });
    assert.deepEqual(buildHostService(tenantService, toHostMapping, tenantSpec()).spec, {
      type: 'ExternalName',
      externalName: 'web.example.com',
    });
  });
});

describe('buildHostEndpointSlices', () => {
  it('copies the tenant endpoints into slices for the host Service', () => {
    const tenantService = service('shop', 'web', { clusterIP: '10.0.0.5', selector: { app: 'web' }, ports: webPorts });
    const tenantSlices = [
      controllerSlice('shop', 'web', 'web-x1', [endpoint('10.244.1.5', true, { nodeName: 'vnode' })], 'IPv4', [
        { name: 'http', protocol: 'TCP', port: 8080 },
      ]),
    ];
    const slices = buildHostEndpointSlices(tenantService, tenantSlices, toHostMapping);
    assert.equal(slices.length, 1);
    assert.equal(slices[0].metadata?.namespace, 'vc-blue');
    assert.match(slices[0].metadata?.name ?? '', /^blue-web-ipv4-[0-9a-f]{8}$/);
    assert.equal(slices[0].metadata?.labels?.['kubernetes.io/service-name'], 'blue-web');
    assert.equal(slices[0].metadata?.labels?.['replicator.service-replicator.io/direction'], 'toHost');
    assert.deepEqual(slices[0].endpoints, [
      { addresses: ['10.244.1.5'], conditions: { ready: true, serving: true, terminating: false } },
    ]);
    assert.deepEqual(slices[0].ports, [{ name: 'http', protocol: 'TCP', port: 8080 }]);
  });

  it('writes none for an ExternalName tenant Service', () => {
    const tenantService = service('shop', 'web', { type: 'ExternalName', externalName: 'web.example.com' });
    assert.deepEqual(buildHostEndpointSlices(tenantService, [], toHostMapping), []);
  });
});
