// Duplicates within one side: two missing reports of the same child (filed at two police stations)
// or two registrations of one found child (moved between shelters). Like is compared with like:
// the same comparisons and weights as a missing-found pair, but for the one that only has meaning
// across the sides (found after missing; for two registrations, where each shelter found the child),
// and each comparison keeps its weaker answer of the two ways round, so the score is symmetric.
import { comparisons } from './comparisons.ts';
import { compareWhileReachable, comparisonWeight, defaultModel, limitUnsupportedPhoto, namesAgree, priorWeight, weightOfProbability, type ExplanationEntry, type Model, type PairScore, type TermFrequency } from './model.ts';
import type { PreparedRecord } from './prepare.ts';

/** Comparisons that say nothing about two records of the same side. */
const acrossSidesOnly = new Set(['time']);

/** Pairs at or above this probability are put before an officer as possible duplicates. */
export const duplicateFloor = 0.5;

/** How many possible duplicates each record keeps before an officer. */
export const duplicatesPerRecord = 5;

const round = (value: number) => Math.round(value * 1000) / 1000;

export function scoreDuplicate(a: PreparedRecord, b: PreparedRecord, model: Model = defaultModel, termFrequency?: TermFrequency): PairScore {
  return scoreAbove(a, b, -Infinity, model, termFrequency)!;
}

/**
 * scoreDuplicate, or null when the pair's probability is under `floor`. Each comparison
 * keeps the weaker of its two answers, so the weights one way round sum to at least the pair's
 * weight (and the cap on a photo's unsupported weight only lowers it): when that sum is under the
 * floor, the other way round is not compared. Most same-side candidates of a record stop there,
 * and comparing both ways was half of a re-match's work in Node.
 */
export function scoreDuplicateAbove(a: PreparedRecord, b: PreparedRecord, floor: number, model: Model = defaultModel, termFrequency?: TermFrequency): PairScore | null {
  return scoreAbove(a, b, weightOfProbability(floor), model, termFrequency);
}

/** The comparisons two records of one side are weighed by: two found children, and two reports. */
const usedFor = (bothFound: boolean) =>
  comparisons.filter(
    // A child moved between shelters was registered in two places: where each found them says nothing.
    (comparison) => !acrossSidesOnly.has(comparison.name) && !(comparison.name === 'where_found' && bothFound),
  );
const [usedForChildren, usedForReports] = [usedFor(true), usedFor(false)];

function scoreAbove(a: PreparedRecord, b: PreparedRecord, floorWeight: number, model: Model, termFrequency?: TermFrequency): PairScore | null {
  const prior = priorWeight(model);
  const used = a.side === 'found' && b.side === 'found' ? usedForChildren : usedForReports;
  // One way round first: an upper bound of the pair's weight, given up as soon as it cannot reach the floor.
  const results = compareWhileReachable(a, b, used, floorWeight, model, termFrequency, prior);
  if (!results) return null;
  // Whether the names agree (which decides the weight of the comparisons that depend on it) is the
  // same both ways round, as the name comparison is symmetric.
  let named = false;
  const oneWay = used.map((comparison, n) => {
    const result = results[n]!;
    const weight = comparisonWeight(model, comparison, result, termFrequency, named);
    if (comparison.name === 'name') named = namesAgree(result.level);
    return { result, weight };
  });
  if (prior + oneWay.reduce((sum, one) => sum + one.weight, 0) < floorWeight) return null;
  const explanation: ExplanationEntry[] = [{ comparison: 'prior', level: 'base rate', weight: round(prior) }];
  let total = prior;
  for (const [n, comparison] of used.entries()) {
    // Each comparison runs both ways round and keeps the weaker answer: symmetric by construction.
    const one = oneWay[n]!;
    const two = comparison.compare(b, a);
    const twoWeight = comparisonWeight(model, comparison, two, termFrequency, named && comparison.name !== 'name');
    const [weight, level] = twoWeight < one.weight ? [twoWeight, two.level] : [one.weight, one.result.level];
    total += weight;
    explanation.push({ comparison: comparison.name, level, weight: round(weight) });
  }
  total = limitUnsupportedPhoto(explanation, total);
  if (total < floorWeight) return null;
  const odds = 2 ** total;
  return { probability: Number.isFinite(odds) ? odds / (1 + odds) : 1, matchWeight: round(total), explanation };
}
