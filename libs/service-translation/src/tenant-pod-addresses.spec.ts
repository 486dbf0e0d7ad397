import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { tenantPodIPs } from './tenant-pod-addresses';

/** A host pod as vCluster's syncer writes it for tenant `blue`, with what a kubelet reports. */
function syncedPod(overrides: { labels?: Record<string, string>; hostNetwork?: boolean; phase?: string; ips?: string[] } = {}): V1Pod {
  const ips = overrides.ips ?? ['10.244.1.7'];
  return {
    metadata: { name: 'web-x-shop-x-blue', labels: overrides.labels ?? { app: 'web', 'vcluster.loft.sh/managed-by': 'blue', 'vcluster.loft.sh/namespace': 'shop' } },
    spec: { containers: [], hostNetwork: overrides.hostNetwork },
    status: { phase: overrides.phase ?? 'Running', podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) },
  };
}

describe('tenantPodIPs', () => {
  it("gives every IP of a running pod vCluster synced for the tenant (dual-stack too)", () => {
    assert.deepEqual(tenantPodIPs(syncedPod(), 'blue'), ['10.244.1.7']);
    assert.deepEqual(tenantPodIPs(syncedPod({ ips: ['10.244.1.7', 'fd00::7'] }), 'blue'), ['10.244.1.7', 'fd00::7']);
  });

  it("gives none for another tenant's pod, a pod without vCluster's namespace label, a host-network or finished pod", () => {
    assert.deepEqual(tenantPodIPs(syncedPod(), 'green'), []);
    assert.deepEqual(tenantPodIPs(syncedPod({ labels: { 'vcluster.loft.sh/managed-by': 'blue' } }), 'blue'), []);
    assert.deepEqual(tenantPodIPs(syncedPod({ hostNetwork: true }), 'blue'), []);
    assert.deepEqual(tenantPodIPs(syncedPod({ phase: 'Succeeded' }), 'blue'), []);
    assert.deepEqual(tenantPodIPs(syncedPod({ phase: 'Failed' }), 'blue'), []);
  });

  it('gives none before the pod has an IP', () => {
    assert.deepEqual(tenantPodIPs(syncedPod({ ips: [] }), 'blue'), []);
  });
});
