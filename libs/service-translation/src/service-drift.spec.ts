import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1ObjectMeta, V1Service, V1ServicePort, V1ServiceSpec } from '@kubernetes/client-node';
import { endpointSliceNeedsUpdate, mergeEndpointSliceForUpdate } from './endpoint-slice-drift';
import { buildHostService } from './host-service.builder';
import { mergeForUpdate, needsUpdate, requiresRecreate } from './service-drift';
import { endpoint, service, tenantSpec, toHostMapping } from './service.fixtures';

const tenantWeb = service('shop', 'web', {
  clusterIP: '10.0.0.5',
  selector: { app: 'web' },
  ports: [{ name: 'http', port: 80 }],
});
const desired = buildHostService(tenantWeb, toHostMapping, tenantSpec());
/** A Service as read back, with the members these tests edit known to be present. */
interface ReadService extends V1Service {
  metadata: V1ObjectMeta & { labels: Record<string, string>; annotations: Record<string, string> };
  spec: V1ServiceSpec & { ports: V1ServicePort[] };
}

/** The host Service as read back: server defaults filled in, clusterIP allocated, status set. */
const actual: ReadService = {
  ...desired,
  metadata: {
    ...desired.metadata,
    uid: 'uid-host-web',
    resourceVersion: '42',
    managedFields: [{ manager: 'writer' }],
    labels: { ...desired.metadata?.labels, team: 'shop' },
    annotations: { ...desired.metadata?.annotations },
  },
  spec: {
    ...desired.spec,
    clusterIP: '10.96.7.7',
    clusterIPs: ['10.96.7.7'],
    ipFamilies: ['IPv4'],
    ipFamilyPolicy: 'SingleStack',
    sessionAffinity: 'None',
    ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 80 }],
  },
  status: { loadBalancer: {} },
};

function edited(change: (service: ReadService) => void): ReadService {
  const copy = structuredClone(actual);
  change(copy);
  return copy;
}

describe('needsUpdate', () => {
  const cases: { name: string; actual: V1Service; expected: boolean }[] = [
    { name: 'server defaults, allocated clusterIP and foreign labels only', actual, expected: false },
    { name: 'a port changed', actual: edited((s) => (s.spec.ports[0].port = 81)), expected: true },
    { name: 'a targetPort changed', actual: edited((s) => (s.spec.ports[0].targetPort = 8080)), expected: true },
    { name: 'a port added', actual: edited((s) => s.spec.ports.push({ name: 'x', port: 1 })), expected: true },
    { name: 'selector edited by hand', actual: edited((s) => (s.spec.selector = { app: 'other' })), expected: true },
    { name: 'type changed to NodePort', actual: edited((s) => (s.spec.type = 'NodePort')), expected: true },
    { name: 'made headless', actual: edited((s) => (s.spec.clusterIP = 'None')), expected: true },
    {
      name: 'our tenant label removed',
      actual: edited((s) => delete s.metadata.labels['replicator.service-replicator.io/tenant']),
      expected: true,
    },
    {
      name: 'source annotation changed',
      actual: edited((s) => (s.metadata.annotations['replicator.service-replicator.io/source'] = 'tenant:x/y')),
      expected: true,
    },
    { name: 'a foreign annotation added', actual: edited((s) => (s.metadata.annotations.extra = '1')), expected: false },
    { name: 'sessionAffinity changed (not ours)', actual: edited((s) => (s.spec.sessionAffinity = 'ClientIP')), expected: false },
  ];
  for (const testCase of cases) {
    it(`${testCase.name} -> ${testCase.expected}`, () => {
      assert.equal(needsUpdate(desired, testCase.actual), testCase.expected);
    });
  }

  it('requires recreation only when the shape changes', () => {
    assert.equal(requiresRecreate(desired, actual), false);
    assert.equal(requiresRecreate(desired, edited((s) => (s.spec.type = 'NodePort'))), false);
    assert.equal(requiresRecreate(desired, edited((s) => (s.spec.clusterIP = 'None'))), true);
    assert.equal(requiresRecreate(desired, edited((s) => (s.spec = { type: 'ExternalName', externalName: 'a', ports: [] }))), true);
  });
});

describe('mergeForUpdate', () => {
  it('keeps the read metadata and allocated IPs, and applies our fields', () => {
    const drifted = edited((s) => {
      s.spec.selector = { app: 'hijacked' };
      s.spec.type = 'NodePort';
      s.spec.ports[0].nodePort = 30001;
      delete s.metadata.labels['app.kubernetes.io/managed-by'];
    });
    const merged = mergeForUpdate(desired, drifted);
    assert.equal(merged.metadata?.resourceVersion, '42');
    assert.equal(merged.metadata?.uid, 'uid-host-web');
    assert.equal(merged.metadata?.managedFields, undefined);
    assert.equal(merged.status, undefined);
    assert.deepEqual(merged.metadata?.labels, { ...desired.metadata?.labels, team: 'shop' });
    assert.equal(merged.spec?.type, 'ClusterIP');
    assert.deepEqual(merged.spec?.ports, desired.spec?.ports);
    assert.deepEqual(merged.spec?.selector, desired.spec?.selector);
    assert.equal(merged.spec?.clusterIP, '10.96.7.7');
    assert.deepEqual(merged.spec?.clusterIPs, ['10.96.7.7']);
    assert.deepEqual(merged.spec?.ipFamilies, ['IPv4']);
    assert.equal(merged.spec?.sessionAffinity, 'None');
    assert.equal(needsUpdate(desired, merged), false);
  });

  it('drops a selector we no longer want', () => {
    const withoutSelector = buildHostService(tenantWeb, toHostMapping, tenantSpec('endpoints'));
    assert.equal(mergeForUpdate(withoutSelector, actual).spec?.selector, undefined);
    assert.equal(needsUpdate(withoutSelector, actual), true);
  });
});

describe('EndpointSlice drift', () => {
  const slice = {
    metadata: { name: 's', labels: { 'app.kubernetes.io/managed-by': 'service-replicator' } },
    addressType: 'IPv4',
    endpoints: [endpoint('10.1.0.1')],
    ports: [{ name: 'http', port: 8080 }],
  };
  const read = {
    ...structuredClone(slice),
    metadata: { ...slice.metadata, resourceVersion: '9', uid: 'u' },
    ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
  };

  it('sees no drift after the server filled in defaults', () => {
    assert.equal(endpointSliceNeedsUpdate(slice, read), false);
  });

  it('sees a readiness change', () => {
    assert.equal(endpointSliceNeedsUpdate({ ...slice, endpoints: [endpoint('10.1.0.1', false)] }, read), true);
  });

  it('merges our content onto the read slice', () => {
    const merged = mergeEndpointSliceForUpdate({ ...slice, endpoints: [endpoint('10.1.0.2')] }, read);
    assert.equal(merged.metadata?.resourceVersion, '9');
    assert.deepEqual(merged.endpoints, [endpoint('10.1.0.2')]);
  });
});
