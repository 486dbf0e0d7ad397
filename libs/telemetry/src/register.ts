/**
 * Every app's main.ts imports this first, before Nest, client-node or BullMQ are loaded: the HTTP
 * instrumentation can only wrap `http`/`https` for the modules that load them after it, and
 * the context manager must be in place before the first async work whose trace should carry on.
 */
import { appName } from './app-name';
import { startTracing } from './tracing-sdk';

startTracing(appName());
