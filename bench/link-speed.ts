// How fast `milap link` links: N missing x M found synthetic records through linkRecords (what the
// CLI calls), timed from raw records to the last candidate pair, with the peak resident memory.
//   npx tsx bench/link-speed.ts [--missing 100000] [--found 40000] [--seed 1]
// (the JSONL reading and writing of the CLI are left out: they are a few seconds at this size).
import { parseArgs } from 'node:util';
import { generateWorld } from '../fixtures/synth/world.ts';
import { linkRecords } from '../matchers/link.ts';

const { values } = parseArgs({ options: { missing: { type: 'string', default: '100000' }, found: { type: 'string', default: '40000' }, seed: { type: 'string', default: '1' } } });
const missingCount = Number(values.missing);
const foundCount = Number(values.found);

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 100);

const generated = performance.now();
const world = generateWorld({ missing: missingCount, found: foundCount, seed: Number(values.seed) });
const generationSeconds = (performance.now() - generated) / 1000;

const started = performance.now();
let pairs = 0;
let likely = 0;
for (const pair of linkRecords(world.missing, world.found, { onProgress: (done) => process.stderr.write(`\r${done} found children linked`) })) {
  pairs++;
  if (pair.probability >= 0.5) likely++;
}
const seconds = (performance.now() - started) / 1000;
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);
process.stderr.write('\n');
console.log(JSON.stringify({
  missing: missingCount, found: foundCount, linkSeconds: Number(seconds.toFixed(1)), generationSeconds: Number(generationSeconds.toFixed(1)),
  candidatePairs: pairs, likelyPairs: likely, peakRssMb: Math.round(peakRss / 2 ** 20),
}));
