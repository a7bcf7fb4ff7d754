// Matching quality on one synthetic world, for milap and for baselines in the same run: recall@1,
// recall@10, blocking recall, precision / recall / F1 of "likely" pairs (probability >= 0.5 for
// milap; each baseline's own rule), found children with no report that still get a likely pair,
// likely pairs per found child, and time; then how well milap's probabilities are calibrated, and
// recall@1 by the slips made on the true pairs.
//   npx tsx bench/quality.ts [--missing 10000 --found 4000 --seed 1] [--model fixtures/model/milap-model.json]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { generateWorld } from '../fixtures/synth/world.ts';
import { linkRecords } from '../matchers/link.ts';
import type { Model } from '../matchers/model.ts';
import { exactNameLink } from './baselines/exact-name.ts';
import { primeroLink } from './baselines/primero.ts';
import { trigramLink } from './baselines/trigram.ts';
import { byFoundChild, calibration, measure, recallAt1ByNoise, type Candidate } from './quality-measure.ts';

const { values } = parseArgs({
  options: { missing: { type: 'string', default: '10000' }, found: { type: 'string', default: '4000' }, seed: { type: 'string', default: '1' }, model: { type: 'string' } },
});
const world = generateWorld({ missing: Number(values.missing), found: Number(values.found), seed: Number(values.seed) });
const model = values.model ? (JSON.parse(readFileSync(values.model, 'utf8')) as Model) : undefined;
const foundRefs = world.found.map((child) => child.ref);

interface Linker<C extends Candidate> {
  label: string;
  link: () => Iterable<C>;
  likely: (pair: C) => boolean;
  /** Every candidate the linker's blocking lets through, when that is more than its top 10. */
  everyCandidate?: () => Iterable<Candidate>;
}

const round = (n: number) => Number(n.toFixed(3));

function* refsOnly(candidates: Iterable<Candidate>): Generator<Candidate> {
  for (const { missingRef, foundRef, probability } of candidates) yield { missingRef, foundRef, probability };
}
const byNoise = new Map<string, Map<string, { pairs: number; recallAt1: number }>>();
const listsOf = new Map<string, Map<string, Candidate[]>>();

function evaluate<C extends Candidate>(linker: Linker<C>) {
  const started = performance.now();
  const lists = byFoundChild(linker.link());
  const seconds = (performance.now() - started) / 1000;
  // Every candidate is kept as its two refs and probability only: with their explanations, a world of
  // 100,000 reports held more than the heap.
  const all = linker.everyCandidate ? byFoundChild(refsOnly(linker.everyCandidate())) : undefined;
  const quality = measure(lists, world.truePairs, foundRefs, linker.likely, all);
  byNoise.set(linker.label, recallAt1ByNoise(lists, world.truePairs));
  listsOf.set(linker.label, lists);
  return { linker: linker.label, ...Object.fromEntries(Object.entries(quality).map(([k, v]) => [k, round(v)])), seconds: Number(seconds.toFixed(1)) };
}

const rows = [
  evaluate({
    label: 'milap',
    link: () => linkRecords(world.missing, world.found, { model }),
    likely: (c) => c.probability >= 0.5,
    everyCandidate: () => linkRecords(world.missing, world.found, { model, top: Infinity, minProbability: 0 }),
  }),
  evaluate({ label: 'exact normalised name', link: () => exactNameLink(world.missing, world.found), likely: (c) => c.likely }),
  evaluate({ label: 'trigram >= 0.3 (pg_trgm %)', link: () => trigramLink(world.missing, world.found), likely: (c) => c.probability >= 0.3 }),
  evaluate({ label: 'trigram >= 0.6', link: () => trigramLink(world.missing, world.found), likely: (c) => c.likely }),
  evaluate({ label: 'Primero (Solr OR query)', link: () => primeroLink(world.missing, world.found), likely: (c) => c.likely }),
];
console.log(`world: ${world.missing.length} missing, ${world.found.length} found (${world.truePairs.length} with a report), seed ${values.seed}`);
console.table(rows);

// Calibration of milap's probabilities over each found child's candidates (its best 10).
const calibrated = calibration(listsOf.get('milap')!, world.truePairs);
console.log(`milap's probabilities against the share of true pairs (expected calibration error ${calibrated.expectedError.toFixed(4)}):`);
console.table(calibrated.bins.map((bin) => ({ ...bin, meanProbability: round(bin.meanProbability), shareTrue: round(bin.shareTrue) })));

const kinds = [...new Set(world.truePairs.flatMap((pair) => pair.noise))].sort();
console.log('recall@1 by the slips made on the true pair:');
console.table(kinds.map((kind) => ({
  slip: kind,
  pairs: byNoise.get('milap')?.get(kind)?.pairs ?? 0,
  ...Object.fromEntries([...byNoise].map(([label, table]) => [label, round(table.get(kind)?.recallAt1 ?? 0)])),
})));
