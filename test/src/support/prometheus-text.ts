/** The value of one series in Prometheus text format, or undefined if absent. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = (match[2] ?? '').split(/,(?=[a-zA-Z_]\w*=")/);
    if (wanted.every((pair) => present.includes(pair))) return Number(match[3]);
  }
  return undefined;
}

export async function scrape(baseUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`GET ${baseUrl}/metrics: ${res.status}`);
  return res.text();
}

/** The HTTP status of a health endpoint and its JSON body. */
export async function health(baseUrl: string, which: 'live' | 'ready'): Promise<{ status: number; body: { status?: string; error?: Record<string, unknown> } }> {
  const res = await fetch(`${baseUrl}/health/${which}`, { signal: AbortSignal.timeout(5_000) });
  return { status: res.status, body: (await res.json()) as { status?: string; error?: Record<string, unknown> } };
}
