export { createLogger, NestPinoLogger, type Logger } from './logger';
export { LOGGER, runApp } from './run-app';
export { loadSettings, Settings, SettingsError } from './settings';
