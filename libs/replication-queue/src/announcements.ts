/**
 * config-watcher announces over @nestjs/microservices (Redis transport) that a tenant's mappings
 * changed; the watchers then read the new mappings from the MappingStore. The message is only a
 * nudge: a missed one is caught up by the watchers' periodic reload.
 */
export const MAPPINGS_CHANGED = 'replicator.mappings-changed';

export interface MappingsChanged {
  readonly tenant: string;
  readonly version: number;
}
