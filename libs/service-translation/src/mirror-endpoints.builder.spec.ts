import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildMirrorEndpoints, MAX_ENDPOINTS_ADDRESSES } from './mirror-endpoints.builder';
import { controllerSlice, endpoint, fromHostMapping } from './service.fixtures';

const pg = [{ name: 'pg', protocol: 'TCP', port: 5432 }];

describe('buildMirrorEndpoints', () => {
  it('ready addresses under addresses, the others under notReadyAddresses, sorted, hostnames kept', () => {
    const slices = [
      controllerSlice('default', 'pg', 'a', [endpoint('10.1.0.9'), endpoint('10.1.0.2', false, { hostname: 'pg-1' })]),
      controllerSlice('default', 'pg', 'b', [endpoint('10.1.0.1')]),
    ];
    const built = buildMirrorEndpoints(fromHostMapping, slices);
    assert.deepEqual(built.subsets, [
      { addresses: [{ ip: '10.1.0.1' }, { ip: '10.1.0.9' }], notReadyAddresses: [{ ip: '10.1.0.2', hostname: 'pg-1' }], ports: [{ name: 'pg', protocol: 'TCP', port: 5432 }] },
    ]);
    assert.deepEqual(built.metadata?.labels, {
      'app.kubernetes.io/managed-by': 'service-replicator',
      'replicator.service-replicator.io/tenant': 'blue',
      'replicator.service-replicator.io/direction': 'fromHost',
      'endpoints.kubernetes.io/managed-by': 'service-replicator',
      'endpointslice.kubernetes.io/skip-mirror': 'true',
    });
    assert.equal(built.metadata?.name, 'pg');
    assert.equal(built.metadata?.namespace, 'default');
  });

  it('one subset per port set; both address families in one object; an unnamed single port has no name', () => {
    const slices = [
      controllerSlice('default', 'pg', 'v4', [endpoint('10.1.0.1')], 'IPv4', pg),
      controllerSlice('default', 'pg', 'v6', [endpoint('fd00::1')], 'IPv6', pg),
      controllerSlice('default', 'pg', 'other', [endpoint('10.1.0.3')], 'IPv4', [{ name: '', protocol: 'UDP', port: 53 }]),
    ];
    assert.deepEqual(buildMirrorEndpoints(fromHostMapping, slices).subsets, [
      { addresses: [{ ip: '10.1.0.1' }, { ip: 'fd00::1' }], ports: [{ name: 'pg', protocol: 'TCP', port: 5432 }] },
      { addresses: [{ ip: '10.1.0.3' }], ports: [{ protocol: 'UDP', port: 53 }] },
    ]);
  });

  it('no endpoints: an Endpoints object without subsets', () => {
    assert.deepEqual(buildMirrorEndpoints(fromHostMapping, []).subsets, []);
  });

  it(`over ${MAX_ENDPOINTS_ADDRESSES} addresses: ready ones kept first, the object marked over capacity`, () => {
    const ready = Array.from({ length: MAX_ENDPOINTS_ADDRESSES }, (_, i) => endpoint(`10.2.${Math.floor(i / 250)}.${(i % 250) + 1}`));
    const built = buildMirrorEndpoints(fromHostMapping, [controllerSlice('default', 'pg', 'a', [...ready, endpoint('10.3.0.1', false)])]);
    assert.equal(built.subsets?.[0].addresses?.length, MAX_ENDPOINTS_ADDRESSES);
    assert.equal(built.subsets?.[0].notReadyAddresses, undefined);
    assert.equal(built.metadata?.annotations?.['endpoints.kubernetes.io/over-capacity'], 'truncated');
    const within = buildMirrorEndpoints(fromHostMapping, [controllerSlice('default', 'pg', 'a', ready)]);
    assert.equal(within.metadata?.annotations?.['endpoints.kubernetes.io/over-capacity'], undefined);
  });
});
