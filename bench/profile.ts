// A CPU profile of one phase of a bench, taken in its own process by the inspector (no restart, no
// flag), written where Chrome's DevTools open it, and the functions that took the most of it printed,
// each with the lines where its samples fell: where a phase's time in Node goes.
import { Session } from 'node:inspector/promises';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  positionTicks?: { line: number; ticks: number }[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Runs `work`; with a directory, profiled into `<dir>/<name>.cpuprofile`, and its `top` functions by their own time printed. */
export async function profiled<T>(dir: string | undefined, name: string, work: () => Promise<T>, top = 25): Promise<T> {
  if (!dir) return work();
  const profiling = await startProfile();
  try {
    return await work();
  } finally {
    await profiling.stop(dir, name, top);
  }
}

/**
 * Starts this process's CPU profile; `stop` writes it to `<dir>/<name>.cpuprofile` and prints its `top`
 * functions by their own time (with `say`, to somewhere else than stdout: a worker process of the
 * pipeline bench speaks JSON there).
 */
export async function startProfile(): Promise<{ stop(dir: string, name: string, top?: number, say?: (line: string) => void): Promise<void> }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 250 });
  await session.post('Profiler.start');
  return {
    async stop(dir, name, top = 25, say = (line) => console.log(line)) {
      const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
      session.disconnect();
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `${name}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      say(`${name}: CPU profile in ${file}; by their own time:`);
      for (const line of ownTime(profile).slice(0, top)) say(`  ${line}`);
    },
  };
}

/** Each function's share of the samples that fell in its own code (of those not idle), most first, with its busiest lines. */
function ownTime(profile: Profile): string[] {
  const micros = new Map<number, number>();
  profile.samples.forEach((node, i) => micros.set(node, (micros.get(node) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  // The profiler's own work (the inspector's calls, taking the profile at the end) and idle time left out.
  const counted = profile.nodes.filter((node) => !node.callFrame.url.startsWith('node:inspector') && node.callFrame.functionName !== '(idle)');
  const total = counted.reduce((sum, node) => sum + (micros.get(node.id) ?? 0), 0) || 1;
  const functions = new Map<string, { us: number; lines: Map<number, number> }>();
  for (const node of counted) {
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${url.replace(/^file:\/\//, '').split('/').slice(-2).join('/')}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    const entry = functions.get(key) ?? { us: 0, lines: new Map<number, number>() };
    entry.us += micros.get(node.id) ?? 0;
    for (const { line, ticks } of node.positionTicks ?? []) entry.lines.set(line, (entry.lines.get(line) ?? 0) + ticks);
    functions.set(key, entry);
  }
  return [...functions]
    .sort((a, b) => b[1].us - a[1].us)
    .map(([key, { us, lines }]) => {
      const busiest = [...lines].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([line]) => line);
      return `${((100 * us) / total).toFixed(1).padStart(5)}%  ${key}${busiest.length ? ` (lines ${busiest.join(', ')})` : ''}`;
    });
}
