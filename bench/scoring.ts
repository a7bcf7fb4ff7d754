// How fast a match worker weighs the candidates its searches admit: N missing x M found synthetic
// records held as a worker holds them (matchers/live-index.ts), a sample of reports and found children
// searched for their possible duplicates (sameSide) and their partners of the other side, and then
// every candidate weighed as the service weighs a new one: a duplicate against the duplicates' floor
// (matchers/duplicates.ts, scoreDuplicateAbove), a pair of the two sides against the service's floor
// (matchers/model.ts, scoreAbove, with term frequencies and the prior of N reports). Rounds repeat
// the same candidates, in microseconds a candidate. The first line is a checksum of what the
// candidates scored: a change meant to make weighing faster without changing a score leaves it as it was.
// Each round then takes the sampled found children one at a time as a child's match job does (her
// searches, her partners weighed, her possible duplicates weighed), in microseconds a child: at national
// scale (--missing 1000000 --found 300000, NODE_OPTIONS=--max-old-space-size=14000) a candidate there costs
// nearly twice what it does at 100,000 x 30,000, where the same candidates weighed over and over cost no less
// than each once: the difference is waiting on memory (bench/FIGURES.md, 2026-12-07).
//   npx tsx bench/scoring.ts [--missing 100000] [--found 30000] [--sample 3000] [--rounds 5] [--seed 5]
import { parseArgs } from 'node:util';
import { generateWorld } from '../fixtures/synth/world.ts';
import { rankedBestOf } from '../matchers/blocking.ts';
import { duplicateFloor, scoreDuplicateAbove } from '../matchers/duplicates.ts';
import { heldRecord, LiveKeyIndex } from '../matchers/live-index.ts';
import { scoreAbove } from '../matchers/model.ts';
import { prepareFound, prepareMissing, type PreparedRecord } from '../matchers/prepare.ts';

const { values } = parseArgs({
  options: { missing: { type: 'string', default: '100000' }, found: { type: 'string', default: '30000' }, sample: { type: 'string', default: '3000' }, rounds: { type: 'string', default: '5' }, seed: { type: 'string', default: '5' } },
});
const [missingCount, foundCount, sample, rounds] = [Number(values.missing), Number(values.found), Number(values.sample), Number(values.rounds)];
/** The service's floor for a pair of the two sides (config.ts, MATCH_FLOOR). */
const floor = 0.001;

const started = performance.now();
const world = generateWorld({ missing: missingCount, found: foundCount, seed: Number(values.seed) });
const reports = world.missing.map((record, i) => ({ id: `missing-${i}`, prepared: prepareMissing(record) }));
const children = world.found.map((record, i) => ({ id: `found-${i}`, prepared: prepareFound(record) }));
const byId = new Map([...reports, ...children].map((record) => [record.id, record.prepared]));
const index = new LiveKeyIndex();
index.beginBulk();
for (const report of reports) index.put('missing', heldRecord(report.id, report.prepared));
for (const child of children) index.put('found', heldRecord(child.id, child.prepared));
index.endBulk();

// The sample's candidates: (record, partner) of one side, (report, child) across.
const duplicates: [PreparedRecord, PreparedRecord][] = [];
/** The found children sampled, each with her id, as her own job searches and weighs them. */
const sampledChildren: { id: string; prepared: PreparedRecord }[] = [];
const across: [PreparedRecord, PreparedRecord][] = [];
const reportsSampled = Math.min(sample, reports.length);
const childrenSampled = Math.min(Math.round((sample * foundCount) / missingCount), children.length);
for (let n = 0; n < reportsSampled; n++) {
  const { id, prepared } = reports[Math.floor((n * reports.length) / reportsSampled)]!;
  const query = heldRecord(id, prepared);
  for (const hit of index.sameSide('missing', query)) duplicates.push([prepared, byId.get(hit.id)!]);
  for (const hit of index.partnersOfReport(query)) across.push([prepared, byId.get(hit.id)!]);
}
for (let n = 0; n < childrenSampled; n++) {
  const { id, prepared } = children[Math.floor((n * children.length) / childrenSampled)]!;
  sampledChildren.push({ id, prepared });
  const query = heldRecord(id, prepared);
  for (const hit of index.sameSide('found', query)) duplicates.push([prepared, byId.get(hit.id)!]);
  for (const hit of index.partnersOfChild(query, rankedBestOf(prepared)).reports) across.push([byId.get(hit.id)!, prepared]);
}
// A term frequency for each name key, the same every run: rare and common keys both, as a worker's counts give.
const termFrequency = (key: string) => ((key.charCodeAt(0) + key.length) % 7) / 2000 + 0.0001;
console.log(
  `${missingCount} missing and ${foundCount} found held in ${((performance.now() - started) / 1000).toFixed(1)} s; ` +
    `${reportsSampled} reports and ${childrenSampled} children searched: ${duplicates.length} candidate duplicates and ${across.length} candidate pairs`,
);

/** How many scores reach `atLeast`, and the sum of their weights. */
function tally(scores: Iterable<{ probability: number; matchWeight: number } | null>, atLeast: number): string {
  let [kept, weights] = [0, 0];
  for (const score of scores) if (score && score.probability >= atLeast) [kept, weights] = [kept + 1, weights + score.matchWeight];
  return `${kept} at ${atLeast} or more, their weights summing to ${weights.toFixed(3)}`;
}
const duplicatesKept = tally(duplicates.map(([a, b]) => scoreDuplicateAbove(a, b, duplicateFloor)), duplicateFloor);
const pairsKept = tally(across.map(([report, child]) => scoreAbove(report, child, floor, undefined, termFrequency, missingCount)), floor);
console.log(`checksum: duplicates ${duplicatesKept}; pairs ${pairsKept}`);

const perCandidate = (since: number, count: number) => (((performance.now() - since) / count) * 1000).toFixed(2);
for (let round = 1; round <= rounds; round++) {
  let at = performance.now();
  for (const [a, b] of duplicates) scoreDuplicateAbove(a, b, duplicateFloor);
  const duplicateUs = perCandidate(at, duplicates.length);
  at = performance.now();
  for (const [report, child] of across) scoreAbove(report, child, floor, undefined, termFrequency, missingCount);
  const pairUs = perCandidate(at, across.length);
  // Each sampled child as her job takes her: searched, then her partners and possible duplicates weighed.
  const spent = { search: 0, partners: 0, duplicates: 0 };
  for (const { id, prepared } of sampledChildren) {
    const query = heldRecord(id, prepared);
    at = performance.now();
    const same = index.sameSide('found', query);
    const partners = index.partnersOfChild(query, rankedBestOf(prepared)).reports;
    const searched = performance.now();
    spent.search += searched - at;
    for (const hit of partners) scoreAbove(byId.get(hit.id)!, prepared, floor, undefined, termFrequency, missingCount);
    const weighed = performance.now();
    spent.partners += weighed - searched;
    for (const hit of same) scoreDuplicateAbove(prepared, byId.get(hit.id)!, duplicateFloor);
    spent.duplicates += performance.now() - weighed;
  }
  const perChild = (ms: number) => ((ms / Math.max(1, sampledChildren.length)) * 1000).toFixed(0);
  console.log(
    `round ${round}: a candidate duplicate ${duplicateUs} us, a candidate pair ${pairUs} us; ` +
      `a found child as her job takes her: searched in ${perChild(spent.search)} us, her partners weighed in ${perChild(spent.partners)} us, her possible duplicates in ${perChild(spent.duplicates)} us`,
  );
}
