import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { V1EndpointSlice } from '@kubernetes/client-node';
import { controllerSlice, endpoint, fromHostMapping, service, tcp5432 } from './service.fixtures';
import { buildTenantEndpointSlices } from './tenant-endpoint-slices.builder';

const sliceLabels = {
  'app.kubernetes.io/managed-by': 'service-replicator',
  'replicator.service-replicator.io/tenant': 'blue',
  'replicator.service-replicator.io/direction': 'fromHost',
  'kubernetes.io/service-name': 'pg',
  'endpointslice.kubernetes.io/managed-by': 'service-replicator',
};

function names(slices: V1EndpointSlice[]): string[] {
  return slices.map((slice) => slice.metadata?.name ?? '');
}

const portsHash = createHash('sha256')
  .update(JSON.stringify([{ name: 'pg', port: 5432, protocol: 'TCP' }]))
  .digest('hex')
  .slice(0, 8);

describe('buildTenantEndpointSlices', () => {
  it('points a single-stack host Service at its clusterIP, with the service port', () => {
    const host = service('db', 'postgres', {
      clusterIP: '10.96.0.10',
      ports: [{ name: 'pg', port: 5432, targetPort: 15432, appProtocol: 'postgresql' }],
    });
    assert.deepEqual(buildTenantEndpointSlices(host, [], fromHostMapping), [
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          name: 'pg-ipv4',
          namespace: 'default',
          labels: sliceLabels,
          annotations: { 'replicator.service-replicator.io/source': 'host:db/postgres', 'vcluster.loft.sh/controlled-by': 'service-replicator' },
        },
        addressType: 'IPv4',
        endpoints: [{ addresses: ['10.96.0.10'], conditions: { ready: true } }],
        ports: [{ name: 'pg', protocol: 'TCP', port: 5432, appProtocol: 'postgresql' }],
      },
    ]);
  });

  it('writes one slice per family for a dual-stack host Service', () => {
    const host = service('db', 'postgres', {
      clusterIP: 'fd00::10',
      clusterIPs: ['fd00::10', '10.96.0.10'],
      ports: [tcp5432],
    });
    const slices = buildTenantEndpointSlices(host, [], fromHostMapping);
    assert.deepEqual(names(slices), ['pg-ipv4', 'pg-ipv6']);
    assert.deepEqual(
      slices.map((slice) => [slice.addressType, slice.endpoints[0].addresses]),
      [
        ['IPv4', ['10.96.0.10']],
        ['IPv6', ['fd00::10']],
      ],
    );
  });

  it('copies a headless host Service\'s endpoints with their readiness, without host-only fields', () => {
    const host = service('db', 'postgres', { clusterIP: 'None', clusterIPs: ['None'], ports: [tcp5432] });
    const hostSlices = [
      controllerSlice('db', 'postgres', 'postgres-abcde', [
        endpoint('10.1.0.7', true, { nodeName: 'node-1', zone: 'a', hostname: 'postgres-0' }),
        endpoint('10.1.0.8', false, { targetRef: { kind: 'Pod', name: 'postgres-1' } }),
      ]),
      controllerSlice('db', 'postgres', 'postgres-fghij', [endpoint('10.1.0.6')]),
    ];
    const slices = buildTenantEndpointSlices(host, hostSlices, fromHostMapping);
    assert.deepEqual(names(slices), [`pg-ipv4-${portsHash}`]);
    assert.deepEqual(slices[0].endpoints, [
      { addresses: ['10.1.0.6'], conditions: { ready: true, serving: true, terminating: false } },
      { addresses: ['10.1.0.7'], conditions: { ready: true, serving: true, terminating: false }, hostname: 'postgres-0' },
      { addresses: ['10.1.0.8'], conditions: { ready: false, serving: false, terminating: false } },
    ]);
    assert.deepEqual(slices[0].ports, [{ name: 'pg', protocol: 'TCP', port: 5432 }]);
    assert.deepEqual(slices[0].metadata?.labels, sliceLabels);
  });

  it('groups headless endpoints by address type and port set, and chunks at 1000 endpoints', () => {
    const host = service('db', 'postgres', { clusterIP: 'None', ports: [tcp5432] });
    const many = Array.from({ length: 1001 }, (_, i) => endpoint(`10.2.${Math.floor(i / 250)}.${i % 250}`));
    const hostSlices = [
      controllerSlice('db', 'postgres', 'a', many.slice(0, 600)),
      controllerSlice('db', 'postgres', 'b', many.slice(600)),
      controllerSlice('db', 'postgres', 'c', [endpoint('fd00::7')], 'IPv6'),
      controllerSlice('db', 'postgres', 'd', [endpoint('10.3.0.1')], 'IPv4', [{ name: 'other', protocol: 'UDP', port: 53 }]),
    ];
    const slices = buildTenantEndpointSlices(host, hostSlices, fromHostMapping);
    assert.equal(slices.length, 4);
    assert.deepEqual(
      slices.map((slice) => [slice.addressType, slice.endpoints.length]).sort(),
      [
        ['IPv4', 1],
        ['IPv4', 1000],
        ['IPv4', 1],
        ['IPv6', 1],
      ].sort(),
    );
    assert.ok(names(slices).includes(`pg-ipv4-${portsHash}`));
    assert.ok(names(slices).includes(`pg-ipv4-${portsHash}-1`));
    assert.deepEqual(names(slices), [...names(slices)].sort());
  });

  it('is deterministic whatever order the host slices come in', () => {
    const host = service('db', 'postgres', { clusterIP: 'None', ports: [tcp5432] });
    const a = controllerSlice('db', 'postgres', 'a', [endpoint('10.1.0.2'), endpoint('10.1.0.1')]);
    const b = controllerSlice('db', 'postgres', 'b', [endpoint('10.1.0.3'), endpoint('10.1.0.1')]);
    assert.deepEqual(
      buildTenantEndpointSlices(host, [a, b], fromHostMapping),
      buildTenantEndpointSlices(host, [b, a], fromHostMapping),
    );
    assert.equal(buildTenantEndpointSlices(host, [a, b], fromHostMapping)[0].endpoints.length, 3);
  });

  it('keeps slice names within 63 characters for long target names', () => {
    const longName = 'a'.repeat(60);
    const host = service('db', 'postgres', { clusterIP: 'None', ports: [tcp5432] });
    const slices = buildTenantEndpointSlices(host, [controllerSlice('db', 'postgres', 'a', [endpoint('10.1.0.1')])], {
      ...fromHostMapping,
      target: { namespace: 'default', name: longName },
    });
    const name = names(slices)[0];
    assert.ok(name.length <= 63, name);
    assert.ok(name.endsWith(`-ipv4-${portsHash}`), name);
  });

  it('writes no slices for an ExternalName host Service', () => {
    const host = service('db', 'postgres', { type: 'ExternalName', externalName: 'db.example.com' });
    assert.deepEqual(buildTenantEndpointSlices(host, [], fromHostMapping), []);
  });
});
