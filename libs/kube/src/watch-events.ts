/** What a ClusterWatcher tells the app that runs it. */
export interface WatchEvents {
  /** Keys to reconcile, and why; the event's span lasts until the promise settles. */
  enqueue(keys: readonly string[], cause: string): void | Promise<unknown>;
  informerError?(namespace: string, resource: string, error: unknown, restartInMs: number): void;
  /** A watch expired (410 Gone) and the namespace's cache was listed again. */
  relisted?(namespace: string, resource: string): void;
  /**
   * Redis no longer holds what this watcher vouched for (FLUSHALL, a restart without its data): the
   * namespaces are written whole again; whatever else Redis held (queued removals) may be gone too.
   */
  snapshotsLost?(namespaces: readonly string[]): void;
  /** A snapshot could not be written (Redis down); the namespace is written whole again once it can be. */
  snapshotError?(namespace: string, error: unknown): void;
}
