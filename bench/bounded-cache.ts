// What a cache of prepared records costs once it is full, as a match worker's is when it holds fewer
// records than it matches among (MATCH_CACHE_RECORDS under twice their number; a million reports
// and a cache of 100,000, as it was before the worker prepared every record at start): each match
// job prepares a few hundred partners, most of them misses that evict an entry. BoundedCache (src/bounded-cache.ts) against the bounded Map it
// replaced (delete `keys().next().value`, then set), in the same process, and then the match
// engine's prepare with every record a miss.
//   npx tsx bench/bounded-cache.ts [--limit 100000 --inserts 300000]
import { parseArgs } from 'node:util';
import { generateWorld } from '../fixtures/synth/world.ts';
import { BoundedCache } from '../src/bounded-cache.ts';
import { createEngine } from '../src/matching/engine.ts';

const { values } = parseArgs({ options: { limit: { type: 'string', default: '100000' }, inserts: { type: 'string', default: '300000' } } });
const [limit, inserts] = [Number(values.limit), Number(values.inserts)];
const keys = Array.from({ length: limit + inserts }, (_, i) => `missing:${String(i).padStart(12, '0')}:1:`);
const micro = (started: number) => (((performance.now() - started) / inserts) * 1000).toFixed(2);

const fifo = new Map<string, number>();
for (let i = 0; i < limit; i++) fifo.set(keys[i]!, i);
let started = performance.now();
for (let i = limit; i < limit + inserts; i++) {
  if (fifo.get(keys[i]!) === undefined) {
    if (fifo.size >= limit) fifo.delete(fifo.keys().next().value!);
    fifo.set(keys[i]!, i);
  }
}
console.log(`Map, oldest deleted by keys().next(): ${micro(started)} µs a miss, cache full at ${limit}`);

const bounded = new BoundedCache<string, number>(limit);
for (let i = 0; i < limit; i++) bounded.set(keys[i]!, i);
started = performance.now();
for (let i = limit; i < limit + inserts; i++) if (bounded.get(keys[i]!) === undefined) bounded.set(keys[i]!, i);
console.log(`BoundedCache: ${micro(started)} µs a miss, cache full at ${limit}`);

// The engine's own cache: every record prepared once to fill it (and the name caches), then again
// at a new version, so that every prepare is a miss.
const world = generateWorld({ missing: limit + inserts, found: 1, seed: 3 });
const engine = createEngine(undefined, limit);
const ids = world.missing.map((_, i) => `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`);
for (const [i, report] of world.missing.entries()) engine.prepare('missing', ids[i]!, 1, report as never);
started = performance.now();
for (let i = 0; i < inserts; i++) engine.prepare('missing', ids[i]!, 2, world.missing[i] as never);
console.log(`match engine: ${micro(started)} µs to prepare a record not in its full cache`);
