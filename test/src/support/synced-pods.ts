import type { V1Pod } from '@kubernetes/client-node';
import { ignoreConflict, type ReplicationFixture } from './replication-fixture';
import { eventually } from './wait';

/**
 * A pod as vCluster's syncer writes it into a tenant's host namespace: the tenant's labels kept,
 * plus the labels naming the tenant and the tenant namespace. Nothing runs it here (no kubelet),
 * so the test gives it an IP and marks it Ready the way a kubelet would.
 */
export async function startSyncedPod(
  fx: ReplicationFixture,
  tenant: 'a' | 'b',
  name: string,
  labels: Record<string, string>,
  ip: string,
): Promise<V1Pod> {
  const namespace = fx.tenant(tenant).hostNamespace;
  const body: V1Pod = {
    metadata: { name, labels: { ...labels, 'vcluster.loft.sh/managed-by': tenant, 'vcluster.loft.sh/namespace': 'default' } },
    spec: { nodeName: 'node-1', automountServiceAccountToken: false, containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }] },
  };
  // The EndpointSlice controller skips pods on unknown nodes: register the node no kubelet runs.
  await fx.hostCore.createNode({ body: { metadata: { name: 'node-1' } } }).catch(ignoreConflict);
  // The ServiceAccount admission plugin waits for the namespace's default account.
  const pod = await eventually(() => fx.hostCore.createNamespacedPod({ namespace, body }));
  const now = new Date();
  return fx.hostCore.replaceNamespacedPodStatus({
    namespace,
    name,
    body: {
      ...pod,
      status: {
        phase: 'Running',
        podIP: ip,
        podIPs: [{ ip }],
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }],
      },
    },
  });
}
