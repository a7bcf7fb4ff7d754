// How fast a match worker's keys in memory answer its searches (matchers/live-index.ts, what
// MATCH_KEYS_IN_MEMORY=on searches): N missing x M found synthetic records held as a worker holds
// them; the keys too common to admit a pair counted once; then a sample of found children's searches
// for their reports (partnersOfChild), reports' searches for their children (partnersOfReport) and
// found children's for their duplicates (sameSide), each timed in microseconds a search. Rounds repeat
// the same searches: the first round shows a worker's first searches, the rounds after its steady
// cost. Then the name keys the sample carries counted, as term frequencies count them, and reports
// filed one after another, each held and searched for its children as its match job does.
//   npx tsx bench/live-index.ts [--missing 100000] [--found 30000] [--sample 2000] [--rounds 3]
//   at national scale (1,000,000 x 300,000) give Node the heap: NODE_OPTIONS=--max-old-space-size=14000
import { parseArgs } from 'node:util';
import { generateWorld } from '../fixtures/synth/world.ts';
import { phoneticNamesOf, rankedBestOf } from '../matchers/blocking.ts';
import { heldRecord, LiveKeyIndex } from '../matchers/live-index.ts';
import { prepareFound, prepareMissing } from '../matchers/prepare.ts';

const { values } = parseArgs({
  options: { missing: { type: 'string', default: '100000' }, found: { type: 'string', default: '30000' }, sample: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '3' }, seed: { type: 'string', default: '5' } },
});
const [missingCount, foundCount, sample, rounds] = [Number(values.missing), Number(values.found), Number(values.sample), Number(values.rounds)];

let started = performance.now();
const world = generateWorld({ missing: missingCount, found: foundCount, seed: Number(values.seed) });
const index = new LiveKeyIndex();
const reports = world.missing.map((record, i) => heldRecord(`missing-${i}`, prepareMissing(record)));
const children = world.found.map((record, i) => {
  const prepared = prepareFound(record);
  return { record: heldRecord(`found-${i}`, prepared), best: rankedBestOf(prepared) };
});
index.beginBulk();
for (const report of reports) index.put('missing', report);
for (const child of children) index.put('found', child.record);
index.endBulk();
console.log(`${missingCount} missing and ${foundCount} found held in ${((performance.now() - started) / 1000).toFixed(1)} s (${index.size.keys} keys; heap ${(process.memoryUsage().heapUsed / 2 ** 30).toFixed(2)} GB)`);

// The keys too common to admit a pair, counted as a worker counts them every half hour once its keys
// are in memory (src/matching/match-job.ts, warmKeyCounts): one pass over every key, holding up its jobs meanwhile.
started = performance.now();
const tooCommon = index.tooCommonKeys().length;
console.log(`${tooCommon} keys too common to admit a pair counted in ${(performance.now() - started).toFixed(0)} ms`);

const step = (list: readonly unknown[]) => Math.max(1, Math.floor(list.length / sample));
const childSample = children.filter((_, i) => i % step(children) === 0).slice(0, sample);
const reportSample = reports.filter((_, i) => i % step(reports) === 0).slice(0, sample);
const perSearch = (since: number, count: number) => (((performance.now() - since) / count) * 1000).toFixed(1);
for (let round = 1; round <= rounds; round++) {
  let found = 0;
  started = performance.now();
  for (const child of childSample) {
    const { reports: admitted, floor } = index.partnersOfChild(child.record, child.best);
    index.setFloor(child.record.id, floor);
    found += admitted.length;
  }
  const childUs = perSearch(started, childSample.length);
  started = performance.now();
  for (const report of reportSample) found += index.partnersOfReport(report).length;
  const reportUs = perSearch(started, reportSample.length);
  started = performance.now();
  for (const child of childSample) found += index.sameSide('found', child.record).length;
  const sameSideUs = perSearch(started, childSample.length);
  console.log(`round ${round}: a child's search ${childUs} us, a report's ${reportUs} us, a child's duplicates ${sameSideUs} us (${found} partners found in all)`);
}

// The name keys of the sample's children counted, as a worker's jobs count each name key for its
// term frequency the first time they meet it (src/matching/store.ts, nameKeyFrequencies; reused after):
// a worker's first jobs after its start meet nearly every name for the first time.
const names = [...new Set(childSample.flatMap((child) => phoneticNamesOf(child.record.keys)))];
started = performance.now();
let carriers = 0;
for (const name of names) carriers += index.nameKeyCount(name);
console.log(`${names.length} name keys of the sample's children counted: ${perSearch(started, names.length)} us a name (${carriers} carriers in all)`);

// Reports filed: each held (a new record in its keys' lists) and then searched, as a report's match
// job does, the next one's search meeting the keys the last one changed.
const filed = reportSample.map((report, i) => ({ ...report, id: `filed-${i}` }));
started = performance.now();
let admitted = 0;
for (const report of filed) {
  index.put('missing', report);
  admitted += index.partnersOfReport(report).length;
}
console.log(`${filed.length} reports filed, each held and searched: ${perSearch(started, filed.length)} us a report (${admitted} children admitted in all)`);
