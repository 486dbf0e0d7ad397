/**
 * The view's own ReplicatorRedis (fail-fast, like every producer): a status read must never queue
 * behind, or hold up, the host app's own work, and a page request fails at once while Redis is
 * unreachable rather than hanging.
 */
export const STATUS_REDIS = Symbol('STATUS_REDIS');
