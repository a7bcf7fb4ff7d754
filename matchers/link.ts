// Linking two sets of records in memory, exactly as the service does it one record at a time:
// the same preparation, blocking keys, admission rule, age window and model. `milap link`, the
// quality bench and the speed bench call this.
import { ageWindowOverlaps, blockingKeys, keyAdmits, keyTooCommon, rankedBestOf, rankWeights } from './blocking.ts';
import { nameJoinedKeys } from './names/compare.ts';
import { CandidateIndex } from './candidate-index.ts';
import { competingProbability, defaultModel, pairOdds, scorePrepared, weighAbove, type ExplanationEntry, type Model, type PairScore, type TermFrequency } from './model.ts';
import type { PhotoHash } from './photos/evidence.ts';
import { PdqHashIndex } from './photos/hash-index.ts';
import { PDQ_MATCH_DISTANCE } from './photos/pdq.ts';
import { prepareFound, prepareMissing, type PreparedRecord } from './prepare.ts';
import type { FoundChild, MissingReport } from './record.ts';

export interface CandidatePair {
  missingRef: string;
  foundRef: string;
  probability: number;
  matchWeight: number;
  explanation: ExplanationEntry[];
}

export interface LinkOptions {
  top?: number;
  minProbability?: number;
  model?: Model;
  onProgress?: (foundDone: number) => void;
  /** Usable PDQ hashes of each record's photos, by ref (the caller reads and hashes the files). */
  photos?: { missing?: ReadonlyMap<string, readonly PhotoHash[]>; found?: ReadonlyMap<string, readonly PhotoHash[]> };
}

/** The share of records whose names carry each phonetic key: how much a match on it is worth. */
export function nameKeyFrequencies(records: PreparedRecord[]): TermFrequency {
  const counts = new Map<string, number>();
  for (const record of records) {
    const keys = new Set([record.name, record.father, record.mother].flatMap((name) => (name ? [name, ...name.alternatives].flatMap((n) => n.keys) : [])));
    // The keys of joined neighbouring parts a record is indexed under count too, as the service
    // counts every n:, f: and m: key a record carries (src/matching/store.ts).
    for (const name of [record.name, record.father]) if (name) for (const key of nameJoinedKeys(name)) keys.add(key);
    for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const total = Math.max(1, records.length);
  return (key) => {
    const count = counts.get(key);
    return count === undefined ? undefined : count / total;
  };
}

export function scorePair(missing: PreparedRecord, found: PreparedRecord, model: Model = defaultModel, termFrequency?: TermFrequency, reports?: number): PairScore {
  return scorePrepared(missing, found, model, termFrequency, reports);
}

/**
 * The reports sharing a key with `child` that admits the pair (within the age window's reach), and
 * her best-ranked among those her keys over their limit reach. Returns her rank floor (blocking.ts,
 * rankedBestOf; what the service saves for a report's search to compare with).
 */
export function candidatesOf(index: CandidateIndex, child: PreparedRecord, visit: (position: number) => void, onlyKeys?: (key: string) => boolean): number {
  const over: { keyId: number; weight: number }[] = [];
  for (const key of blockingKeys(child)) {
    if (onlyKeys && !onlyKeys(key)) continue;
    const keyId = index.keyId(key);
    if (keyId === undefined || keyTooCommon(key, index.size(keyId))) continue;
    const size = index.sizeInWindow(keyId, child.birth);
    if (keyAdmits(key, size)) index.forEachInWindow(keyId, child.birth, visit);
    else over.push({ keyId, weight: rankWeights[size]! });
  }
  // The child's likeliest reports among those its over-limit keys reach (blocking.ts, rankedBestOf).
  return index.rankedInWindow(over, child, rankedBestOf(child), visit);
}

/** An index of the reports' photo hashes (ids are report positions), or null when none has a photo. */
export function photoIndexOf(reports: readonly PreparedRecord[]): PdqHashIndex | null {
  if (!reports.some((report) => report.photos.length)) return null;
  const index = new PdqHashIndex();
  reports.forEach((report, position) => report.photos.forEach((photo) => index.add(position, photo.hash)));
  return index;
}

/**
 * The photo-hash proximity key: reports carrying the same photograph as `child`, turned or mirrored
 * or not. They are scored whatever the name keys and the age window say (a photo is the one piece
 * of evidence that survives a wrong name and a wrong age); the model decides what it is worth.
 */
export function photoPartners(index: PdqHashIndex | null, child: PreparedRecord): number[] {
  if (!index || !child.photos.length) return [];
  const near = new Set<number>();
  for (const photo of child.photos) for (const variant of photo.variants) for (const { id } of index.query(variant, PDQ_MATCH_DISTANCE)) near.add(id);
  return [...near];
}

/**
 * For every found child, its best `top` candidate reports, most probable first. Two passes: every
 * child's candidates are scored first (kept compactly: report and match weight), because a pair's
 * probability depends on the other candidates of its report too (model.ts, competingProbability);
 * then each child's best pairs are scored again for their explanations.
 */
export function* linkRecords(missing: MissingReport[], found: FoundChild[], options: LinkOptions = {}): Generator<CandidatePair> {
  const top = options.top ?? 10;
  const floor = options.minProbability ?? 0.001;
  const model = options.model ?? defaultModel;
  const reports = missing.map((report) => prepareMissing(report, options.photos?.missing?.get(report.ref)));
  const children = found.map((child) => prepareFound(child, options.photos?.found?.get(child.ref)));
  const photos = photoIndexOf(reports);
  const termFrequency = nameKeyFrequencies([...reports, ...children]);
  const index = new CandidateIndex(reports, blockingKeys);
  const seen = new Int32Array(reports.length).fill(-1);
  // Pass 1: child i's pairs are positions[start[i] .. start[i + 1]) with their match weights.
  const start = new Int32Array(children.length + 1);
  const positions: number[] = [];
  const weights: number[] = [];
  const reportOdds = new Float64Array(reports.length);
  const childOdds = new Float64Array(children.length);
  for (const [done, child] of children.entries()) {
    start[done] = positions.length;
    const score = (position: number, narrow: boolean) => {
      if (seen[position] === done) return;
      seen[position] = done;
      const report = reports[position]!;
      if (narrow && !ageWindowOverlaps(report, child)) return;
      // A pair under the floor is neither kept nor weighed against the others: given up once it is sure to be.
      const pair = weighAbove(report, child, floor, model, termFrequency, reports.length);
      if (!pair || pair.probability < floor) return;
      positions.push(position);
      weights.push(pair.matchWeight);
      const odds = pairOdds(pair.matchWeight);
      reportOdds[position] = reportOdds[position]! + odds;
      childOdds[done] = childOdds[done]! + odds;
    };
    for (const position of photoPartners(photos, child)) score(position, false);
    candidatesOf(index, child, (position) => score(position, true));
    if (options.onProgress && done % 500 === 0) options.onProgress(done);
  }
  start[children.length] = positions.length;
  // Pass 2: each child's pairs by competing probability; the best `top` explained.
  for (const [done, child] of children.entries()) {
    const ranked: { position: number; probability: number; matchWeight: number }[] = [];
    for (let at = start[done]!; at < start[done + 1]!; at++) {
      const position = positions[at]!;
      const matchWeight = weights[at]!;
      const odds = pairOdds(matchWeight);
      ranked.push({ position, matchWeight, probability: competingProbability(matchWeight, reportOdds[position]! - odds, childOdds[done]! - odds) });
    }
    ranked.sort((a, b) => b.probability - a.probability || b.matchWeight - a.matchWeight || (reports[a.position]!.ref < reports[b.position]!.ref ? -1 : 1));
    for (const { position, probability } of ranked.slice(0, top)) {
      const report = reports[position]!;
      const { matchWeight, explanation } = scorePrepared(report, child, model, termFrequency, reports.length);
      yield { missingRef: report.ref, foundRef: child.ref, probability, matchWeight, explanation };
    }
  }
}
