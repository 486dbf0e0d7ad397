import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
import { ManagedProcess, waitUntilReady } from './managed-process';

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** The running server's process id (a new one after `startAgain`). */
  readonly pid: number | undefined;
  /**
   * Stops the server, as a crash or an outage would. With `keepData` it saves its memory to disk
   * first (SHUTDOWN SAVE) and `startAgain` loads it back, as a Redis with persistence comes back;
   * without, it is killed and comes back empty.
   */
  halt(options?: { readonly keepData?: boolean }): Promise<void>;
  /** Starts it again on the same port, after `halt`; resolves once it answers PING. */
  startAgain(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Debian's redis-server on a free loopback port, in memory only (no RDB, no AOF): nothing is
 * saved unless a test halts it with `keepData`.
 */
export async function startRedis(): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'sr-redis-'));
  const port = await freePort();
  let proc = await launch(dir, port);
  const server: RedisServer = {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return proc.pid;
    },
    halt: async (options = {}) => {
      if (options.keepData) await command(port, 'SHUTDOWN SAVE');
      proc.killGroup('SIGKILL');
      await proc.stop(0);
      if (!options.keepData) await rm(join(dir, 'dump.rdb'), { force: true });
    },
    startAgain: async () => {
      if (!proc.hasExited) throw new Error('redis-server is still running');
      proc = await launch(dir, port);
    },
    stop: async () => {
      await proc.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return server;
}

async function launch(dir: string, port: number): Promise<ManagedProcess> {
  const proc = new ManagedProcess('redis-server', 'redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir,
  ], { logFile: join(dir, 'redis.log') });
  try {
    await waitUntilReady(proc, () => ping(port), 15_000);
  } catch (error) {
    await proc.stop();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return proc;
}

function ping(port: number): Promise<boolean> {
  return command(port, 'PING').then((reply) => reply.startsWith('+PONG'), () => false);
}

/** One inline command; resolves to the first reply, or to '' when the server closes the connection (SHUTDOWN). */
function command(port: number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => socket.write(`${line}\r\n`));
    socket.setTimeout(10_000, () => socket.destroy(new Error(`redis ${line}: no reply within 10 s`)));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString());
    });
    socket.once('error', reject);
    socket.once('close', () => resolve(''));
  });
}
