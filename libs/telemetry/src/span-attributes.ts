/** Attribute names on our spans, so a trace can be searched by what it replicated. */
export const ATTR = {
  key: 'replicator.key',
  tenant: 'replicator.tenant',
  direction: 'replicator.direction',
  /** `host:ns/name` or `tenant:ns/name`. */
  source: 'replicator.source',
  target: 'replicator.target',
  /** The one write a pass made (`create`, `update`, `delete`, with the kind), or `none`. */
  action: 'replicator.action',
  /** The state a pass left the key in (in-sync, pending, conflict, error, kept), or why it failed. */
  outcome: 'replicator.outcome',
  cause: 'replicator.cause',
  cluster: 'replicator.cluster',
  keys: 'replicator.keys',
} as const;
