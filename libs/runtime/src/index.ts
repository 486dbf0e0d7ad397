export { createLogger, loggerParams, type Logger } from './logger';
export { MetricsRegistry } from './metrics-registry';
export { Readiness, type ReadinessCheck } from './readiness';
export { hashTagOf, redisAddress, type HostPort, type RedisAddress, type RedisSettings } from './redis-address';
export { describeRedisTarget, redisTargetOf, redisTargetOfUrl, type RedisTarget } from './redis-target';
export { announcementClient, announcementServer } from './redis-transport';
export { runApp, type RunOptions } from './run-app';
export { APP_NAME, LOGGER, REDIS_TARGET, RuntimeModule, settingsModule } from './runtime.module';
export { loadSettings, settingNames, Settings, SettingsError, tenantLimits } from './settings';
