import { tenantValues, type Release } from './helm-chart';

export const RELEASE: Release = { name: 'sr', namespace: 'service-replicator' };

/** Two tenants: one with a namespace toHost may also write to, one whose kubeconfig Secret sits in the release namespace. */
export const VALUES = {
  tenants: [
    {
      ...tenantValues({ name: 'a', hostNamespace: 'vc-a', kubeconfigSecret: 'vc-a-kubeconfig', replicateServices: {} }),
      allowedHostNamespaces: ['extra'],
      fromHostNamespaces: ['shared'],
    },
    {
      name: 'b',
      hostNamespace: 'vc-b',
      kubeconfig: { secret: { name: 'vc-b-kubeconfig', key: 'config' } },
      config: { configMap: { namespace: 'config', name: 'tenant-b', key: 'vcluster.yaml' } },
    },
  ],
  writer: { replicas: 3, concurrency: 4, resources: { requests: { cpu: '200m' } } },
  tracing: { enabled: true, otlpEndpoint: 'http://collector.tracing:4318' },
};

/** Every optional object on: the ServiceMonitor, a PodDisruptionBudget per app, KEDA for the writer, Redis over TLS through Sentinel. */
export const EVERYTHING_ON = {
  ...VALUES,
  serviceMonitor: { enabled: true, namespace: 'monitoring', labels: { release: 'kube-prometheus-stack' }, relabelings: [{ action: 'labeldrop', regex: 'pod' }] },
  configWatcher: { podDisruptionBudget: { enabled: true, minAvailable: 1 }, podLabels: { team: 'platform' }, podAnnotations: { note: 'status page' } },
  hostWatcher: { podDisruptionBudget: { enabled: true, maxUnavailable: '50%' }, startupProbe: { enabled: false } },
  tenantWatcher: { podDisruptionBudget: { enabled: true } },
  writer: { ...VALUES.writer, autoscaling: { keda: { enabled: true, maxReplicas: 20 } }, startupProbe: { enabled: true, periodSeconds: 2, failureThreshold: 90 } },
  networkPolicy: { enabled: true, extraIngress: [{ from: [{ podSelector: { matchLabels: { app: 'ingress-nginx' } } }], ports: [{ port: 'operator' }] }] },
  redis: {
    url: 'rediss://replicator@unused:6380',
    tls: { secretName: 'redis-tls', ca: 'ca.crt', clientCert: 'tls.crt', clientKey: 'tls.key' },
    sentinel: { enabled: true, sentinels: ['s-0:26379'], masterName: 'mymaster', username: 'u', passwordSecret: { name: 'redis', key: 'sentinel-password' } },
  },
};

/** Tenants whose configs come each way the schema allows, so every tenant key is exercised. */
export const TENANT_VARIANTS = [
  ...VALUES.tenants,
  { name: 'c', hostNamespace: 'vc-c', toHostMode: 'endpoints', adoptVClusterMirrors: true, endpoints: true, allowExternalName: true, kubeconfig: { secret: { name: 'k', key: 'config' } }, config: { secret: { namespace: 'vc-c', name: 'c', key: 'vcluster.yaml' } } },
];
