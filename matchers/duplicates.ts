// Duplicates within one side: two missing reports of the same child (filed at two police stations)
// or two registrations of one found child (moved between shelters). Like is compared with like:
// the same comparisons and weights as a missing-found pair, but for the one that only has meaning
// across the sides (found after missing; for two registrations, where each shelter found the child),
// and each comparison keeps its weaker answer of the two ways round, so the score is symmetric.
import { comparisons, type Comparison, type ComparisonResult } from './comparisons.ts';
import { comparisonWeight, defaultModel, limitUnsupportedPhoto, namesAgree, priorWeight, type ExplanationEntry, type Model, type PairScore, type TermFrequency } from './model.ts';
import type { PreparedRecord } from './prepare.ts';

/** Comparisons that say nothing about two records of the same side. */
const acrossSidesOnly = new Set(['time']);

/** Pairs at or above this probability are put before an officer as possible duplicates. */
export const duplicateFloor = 0.5;

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
  return scoreAbove(a, b, floor <= 0 ? -Infinity : floor >= 1 ? Infinity : Math.log2(floor / (1 - floor)), model, termFrequency);
}

/** The comparisons a pair of records is weighed by in a model, and the most each can weigh: any level, names agreeing or not, the largest term-frequency adjustment, or 0 (unknown). */
interface Plan {
  used: Comparison[];
  most: number[];
}

const plans = new WeakMap<Model, Map<string, Plan>>();

function planOf(model: Model, bothFound: boolean, termFrequency: boolean): Plan {
  const known = plans.get(model) ?? plans.set(model, new Map()).get(model)!;
  const key = `${bothFound}:${termFrequency}`;
  let plan = known.get(key);
  if (!plan) {
    const used = comparisons.filter(
      // A child moved between shelters was registered in two places: where each found them says nothing.
      (comparison) => !acrossSidesOnly.has(comparison.name) && !(comparison.name === 'where_found' && bothFound),
    );
    const most = used.map((comparison) => {
      const levels = Object.values(model.comparisons[comparison.name] ?? {}).flatMap((level) => (level.named ? [level, level.named] : [level]));
      const adjustment = termFrequency && comparison.termFrequencyLevels ? Math.max(0, model.termFrequency.maximumAdjustment) : 0;
      return Math.max(0, ...levels.map(({ m, u }) => Math.log2(m / u))) + adjustment;
    });
    known.set(key, (plan = { used, most }));
  }
  return plan;
}

function scoreAbove(a: PreparedRecord, b: PreparedRecord, floorWeight: number, model: Model, termFrequency?: TermFrequency): PairScore | null {
  const prior = priorWeight(model);
  const { used, most } = planOf(model, a.side === 'found' && b.side === 'found', termFrequency !== undefined);
  // One way round first: an upper bound of the pair's weight. The names, which cost most, come last,
  // each compared only while the pair can still reach the floor with every comparison not yet made
  // at its most: most same-side candidates of a record share a key and little else (another state,
  // another age), and comparing their names was a third of a match job's work in Node.
  const results: (ComparisonResult | null)[] = new Array(used.length);
  let ceiling = prior;
  for (let n = 0; n < used.length; n++) {
    const comparison = used[n]!;
    // A comparison that costs (the names: it says whether both records give what it compares) is made later.
    if (comparison.given?.(a, b)) {
      results[n] = null;
      ceiling += most[n]!;
      continue;
    }
    const result = (results[n] = comparison.compare(a, b));
    // Whether the names agree is not known yet: a comparison that depends on it counts its larger weight.
    const weight = comparisonWeight(model, comparison, result, termFrequency, false);
    ceiling += comparison.givenName ? Math.max(weight, comparisonWeight(model, comparison, result, termFrequency, true)) : weight;
  }
  if (ceiling < floorWeight) return null;
  // The name comparison is the first of them: whether the names agree decides the weight of those after.
  let agree = false;
  for (let n = 0; n < used.length; n++) {
    if (results[n]) continue;
    const comparison = used[n]!;
    const result = (results[n] = comparison.compare(a, b));
    ceiling += comparisonWeight(model, comparison, result, termFrequency, agree) - most[n]!;
    if (comparison.name === 'name') agree = namesAgree(result.level);
    if (ceiling < floorWeight) return null;
  }
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
