/** host and port for Nest's Redis transport, which takes no URL. */
export function redisHostPort(url: string): { host: string; port: number; password?: string; db?: number } {
  const parsed = new URL(url);
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : undefined;
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db,
  };
}
