export { createLogger, NestPinoLogger, type Logger } from './logger';
export { MetricsRegistry } from './metrics-registry';
export { Readiness, type ReadinessCheck } from './readiness';
export { redisTransportOptions, type RedisTransportOptions } from './redis-address';
export { runApp, type RunOptions } from './run-app';
export { LOGGER } from './runtime.module';
export { loadSettings, Settings, SettingsError, tenantLimits } from './settings';
