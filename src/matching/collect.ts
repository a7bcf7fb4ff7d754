// A full garbage collection when a worker has finished warming up, before it serves from what it
// built. Preparing every record and reading every key leaves gigabytes of garbage behind (rows read,
// JSON parsed, arrays grown); at a million records the collector's next full cycle then began with
// the worker's first jobs, marking a 5.5 GB heap incrementally on the main thread and concurrently
// beside it: the first three match jobs took 0.5-1.2 s each and the next twenty up to 150 ms, where
// they take 20-40 ms (bench/pipeline.ts, 2026-12-01). Collected at once, the heap is left compact
// and its next limit set from what lives.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | undefined;

/**
 * Collects garbage now, in full. Node gives `gc` only to a process started with --expose-gc; the flag
 * set at run time gives it to contexts made after, one of which hands it over (as jest's leak
 * detector does). Returns the milliseconds it took.
 */
export function collectGarbage(): number {
  if (!collect) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  const started = performance.now();
  collect();
  return performance.now() - started;
}
