/**
 * `node bench/dist/profile-summary.js <file.cpuprofile> [top]`: where a profiled process spent its
 * CPU, as self time by package (a node_modules package, one of our libs or apps, node's own) and by
 * function, in ms and share of the samples that were not idle.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Which package a script belongs to: `bullmq`, `libs/kube`, `apps/writer`, `node:internal`... */
export function packageOf(url: string): string {
  if (url === '') return '(native)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1];
  const ours = /\/((?:libs|apps)\/[^/]+)\//.exec(url);
  if (ours) return ours[1];
  return url.startsWith('node:') ? 'node:internal' : url;
}

/** Self time (ms) per key over a profile's samples, idle and GC shown apart. */
export function selfTimes(profile: Profile, keyOf: (node: ProfileNode) => string): Map<string, number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const times = new Map<string, number>();
  profile.samples.forEach((id, index) => {
    const node = byId.get(id);
    if (!node) return;
    const key = keyOf(node);
    times.set(key, (times.get(key) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000);
  });
  return times;
}

function special(node: ProfileNode): string | undefined {
  const name = node.callFrame.functionName;
  return name === '(idle)' || name === '(garbage collector)' || name === '(program)' ? name : undefined;
}

function table(times: Map<string, number>, top: number): string[] {
  const busy = [...times].filter(([key]) => key !== '(idle)').reduce((sum, [, ms]) => sum + ms, 0);
  return [...times]
    .filter(([key]) => key !== '(idle)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([key, ms]) => `${ms.toFixed(0).padStart(8)} ms ${((100 * ms) / busy).toFixed(1).padStart(5)}%  ${key}`);
}

function main(): void {
  const [file, topArg] = process.argv.slice(2);
  if (!file) throw new Error('usage: profile-summary <file.cpuprofile> [top]');
  const top = Number(topArg ?? 25);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byPackage = selfTimes(profile, (node) => special(node) ?? packageOf(node.callFrame.url));
  const byFunction = selfTimes(profile, (node) => special(node) ?? `${node.callFrame.functionName || '(anonymous)'} ${packageOf(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`);
  const idle = byPackage.get('(idle)') ?? 0;
  const busy = [...byPackage.values()].reduce((sum, ms) => sum + ms, 0) - idle;
  process.stdout.write([`${file}: ${busy.toFixed(0)} ms busy, ${idle.toFixed(0)} ms idle`, '', 'by package:', ...table(byPackage, top), '', 'by function:', ...table(byFunction, top), ''].join('\n'));
}

if (require.main === module) main();
