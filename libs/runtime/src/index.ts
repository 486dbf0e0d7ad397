export { createLogger, NestPinoLogger, type Logger } from './logger';
export { redisHostPort } from './redis-address';
export { LOGGER, runApp, type RunOptions } from './run-app';
export { loadSettings, Settings, SettingsError } from './settings';
