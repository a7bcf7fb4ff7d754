// The Fellegi-Sunter model: for each comparison level an m (how often true pairs show it) and a u
// (how often unrelated pairs do); log2(m/u) is the level's weight, the prior's log-odds start the
// sum, and the sum gives a calibrated probability. The explanation lists every weight, so the
// officer sees why. The model is data: fixtures/model/milap-model.json, versioned.
import defaultModelJson from '../fixtures/model/milap-model.json' with { type: 'json' };
import { comparisons, type Comparison, type ComparisonResult } from './comparisons.ts';
import type { PreparedRecord } from './prepare.ts';

export interface LevelParameters {
  m: number;
  u: number;
  /**
   * m and u among pairs whose child names agree (namesAgree), for a comparison that depends on them
   * (comparisons.ts, givenName): what the level is worth beside a name that already matched.
   */
  named?: { m: number; u: number };
}

export interface Model {
  version: string;
  description?: string;
  /** The prior of a pair of records from the same side (duplicates.ts), and of a missing-found pair when the number of reports is not known. */
  prior: number;
  /**
   * The share of found children whose report is among the missing reports. With the number of
   * reports a child is matched among, it gives a missing-found pair its prior (priorWeight).
   */
  foundWithReport?: number;
  termFrequency: { minimumAdjustment: number; maximumAdjustment: number };
  comparisons: Record<string, Record<string, LevelParameters>>;
}

export interface ExplanationEntry {
  comparison: string;
  level: string;
  weight: number;
}

export interface PairScore {
  probability: number;
  matchWeight: number;
  explanation: ExplanationEntry[];
}

/** How common a name's phonetic key is: the share of records that carry it (undefined: not known). */
export type TermFrequency = (key: string) => number | undefined;

export const defaultModel: Model = defaultModelJson as Model;

/**
 * The prior log-odds of a pair. A found child has a report among them with probability p
 * (`foundWithReport`), and then it is any one of the `reports` alike; so against the child having
 * no report, one given report has the prior odds p / ((1 - p) · reports). This is what
 * competingProbability's "1 +" weighs a pair against, and it is why the prior scales with the
 * country: the same evidence is worth less among a million reports, where more unrelated children
 * show it by chance, than among ten thousand. A constant prior, fitted on one world, was calibrated
 * at one size only: at 10,000 reports, pairs scored 0.2 to 0.3 were true 47% of the time (bench/quality.ts);
 * at 1,000,000 it would overstate every pair's odds twentyfold. Without `reports`, or for a model
 * that lacks `foundWithReport`, the model's `prior` is the pair's prior probability.
 */
export function priorWeight(model: Model, reports?: number): number {
  const share = model.foundWithReport;
  if (reports === undefined || share === undefined) return Math.log2(model.prior / (1 - model.prior));
  return Math.log2(share / ((1 - share) * Math.max(1, reports)));
}

const round = (value: number) => Math.round(value * 1000) / 1000;

/** The levels of the name comparison at which two children's names agree (LevelParameters.named). */
const agreeingNameLevels: ReadonlySet<string> = new Set(['exact', 'phonetic', 'jw_high', 'typo']);
export const namesAgree = (nameLevel: string): boolean => agreeingNameLevels.has(nameLevel);

/** A level's weight, log2(m / u); `named`: the pair's names agree, so its m and u are those beside agreeing names where the model has them. */
export function levelWeight(model: Model, comparison: string, level: string, named = false): number {
  const weights = weightsOf(model).get(comparison)?.get(level);
  return weights === undefined ? 0 : named ? weights.named : weights.plain;
}

/** A level's weights without and beside agreeing names (levelWeight). */
interface LevelWeights {
  plain: number;
  named: number;
}

/** Each model's level weights by comparison and level, worked out once (a model is never changed once made: training makes new ones). */
const levelWeights = new WeakMap<Model, Map<string, Map<string, LevelWeights>>>();
/** The model asked for last, and its weights: a worker weighs by one model, and the WeakMap's look-up was more than the logarithm it saved. */
let lastModel: Model | null = null;
let lastWeights: Map<string, Map<string, LevelWeights>> = new Map();

/**
 * The weights of every level of the model: log2(m / u), and beside agreeing names where it has m and
 * u for them. The same division and logarithm as each weighing made for itself, so the same figures
 * to the last bit; made once a model, a candidate's dozen comparisons each took one before.
 */
function weightsOf(model: Model): Map<string, Map<string, LevelWeights>> {
  if (model === lastModel) return lastWeights;
  let weights = levelWeights.get(model);
  if (!weights) {
    weights = new Map(
      Object.entries(model.comparisons).map(([comparison, levels]) => [
        comparison,
        new Map(
          Object.entries(levels).map(([level, parameters]) => {
            const plain = Math.log2(parameters.m / parameters.u);
            return [level, { plain, named: parameters.named ? Math.log2(parameters.named.m / parameters.named.u) : plain }];
          }),
        ),
      ]),
    );
    levelWeights.set(model, weights);
  }
  [lastModel, lastWeights] = [model, weights];
  return weights;
}

/**
 * A comparison's weight at the level it gave, with Splink's term-frequency adjustment on the levels
 * that take one: a match on a rare name is stronger than on a common one.
 */
export function comparisonWeight(model: Model, comparison: Comparison, result: ComparisonResult, termFrequency?: TermFrequency, named = false): number {
  const weight = levelWeight(model, comparison.name, result.level, named);
  if (!termFrequency || !result.keys?.length || !comparison.termFrequencyLevels?.includes(result.level)) return weight;
  const frequencies = result.keys.map(termFrequency).filter((f): f is number => f !== undefined && f > 0);
  if (!frequencies.length) return weight;
  const u = model.comparisons[comparison.name]![result.level]!.u;
  const adjustment = Math.log2(u / Math.min(...frequencies));
  return weight + Math.max(model.termFrequency.minimumAdjustment, Math.min(model.termFrequency.maximumAdjustment, adjustment));
}

/**
 * Scores a pair: match weight, probability, and the weight of every comparison. `reports`: how
 * many missing reports the child is matched among (priorWeight). `results`: the pair's comparisons
 * already made (compareWhileReachable), in the order of `comparisons`.
 */
export function scorePrepared(missing: PreparedRecord, found: PreparedRecord, model: Model = defaultModel, termFrequency?: TermFrequency, reports?: number, results?: readonly ComparisonResult[]): PairScore {
  const prior = priorWeight(model, reports);
  const explanation: ExplanationEntry[] = [{ comparison: 'prior', level: 'base rate', weight: round(prior) }];
  let total = prior;
  // The name comparison comes first: whether the names agree decides the weight of those that depend on it.
  let named = false;
  for (const [n, comparison] of comparisons.entries()) {
    const result = results?.[n] ?? comparison.compare(missing, found);
    const weight = comparisonWeight(model, comparison, result, termFrequency, named);
    if (comparison.name === 'name') named = namesAgree(result.level);
    total += weight;
    explanation.push({ comparison: comparison.name, level: result.level, weight: round(weight) });
  }
  total = limitUnsupportedPhoto(explanation, total);
  const odds = 2 ** total;
  return { probability: Number.isFinite(odds) ? odds / (1 + odds) : 1, matchWeight: round(total), explanation };
}

/** The match weight at which a pair's own probability is `probability`. */
export const weightOfProbability = (probability: number): number => (probability <= 0 ? -Infinity : probability >= 1 ? Infinity : Math.log2(probability / (1 - probability)));

/**
 * scorePrepared, or null when the pair's probability is surely under `floor` (compareWhileReachable):
 * the service keeps no new pair under its floor, and most of a record's candidates are under it.
 */
export function scoreAbove(missing: PreparedRecord, found: PreparedRecord, floor: number, model: Model = defaultModel, termFrequency?: TermFrequency, reports?: number): PairScore | null {
  const results = compareWhileReachable(missing, found, comparisons, weightOfProbability(floor), model, termFrequency, priorWeight(model, reports));
  return results && scorePrepared(missing, found, model, termFrequency, reports, results);
}

/** weighPrepared, or null when the pair's probability is surely under `floor` (compareWhileReachable): `milap link` keeps no pair under its floor. */
export function weighAbove(missing: PreparedRecord, found: PreparedRecord, floor: number, model: Model = defaultModel, termFrequency?: TermFrequency, reports?: number): { probability: number; matchWeight: number } | null {
  const results = compareWhileReachable(missing, found, comparisons, weightOfProbability(floor), model, termFrequency, priorWeight(model, reports));
  return results && weighPrepared(missing, found, model, termFrequency, reports, results);
}

/** The most each of a list of comparisons can weigh in a model, by whether term frequencies adjust them. */
const mostWeights = new WeakMap<Model, Map<readonly Comparison[], Record<'plain' | 'adjusted', number[]>>>();

/**
 * The most each comparison of `used` can weigh in the model: its highest level, names agreeing or
 * not, with the largest term-frequency adjustment; or 0 (unknown). Worked out once a model and list.
 */
function mostWeightsOf(model: Model, used: readonly Comparison[], termFrequency: boolean): number[] {
  const lists = mostWeights.get(model) ?? mostWeights.set(model, new Map()).get(model)!;
  let most = lists.get(used);
  if (!most) {
    const plain = used.map((comparison) => {
      const levels = Object.values(model.comparisons[comparison.name] ?? {}).flatMap((level) => (level.named ? [level, level.named] : [level]));
      return Math.max(0, ...levels.map(({ m, u }) => Math.log2(m / u)));
    });
    const adjusted = used.map((comparison, n) => plain[n]! + (comparison.termFrequencyLevels ? Math.max(0, model.termFrequency.maximumAdjustment) : 0));
    lists.set(used, (most = { plain, adjusted }));
  }
  return termFrequency ? most.adjusted : most.plain;
}

/**
 * Compares a pair one way round (`a` as the missing side) by `used` (a list kept as it is: its most
 * weights are remembered by it), the comparisons that cost (the names: comparisons.ts, given) last,
 * each only while the pair can still reach `floorWeight` with every comparison not yet made at its
 * most. The results in the order of `used`; null when the pair's weight is surely under the floor,
 * `prior` included. Most of a record's candidates share a key and little else (another state,
 * another age), and comparing their names was most of the work of weighing them.
 */
export function compareWhileReachable(a: PreparedRecord, b: PreparedRecord, used: readonly Comparison[], floorWeight: number, model: Model, termFrequency: TermFrequency | undefined, prior: number): ComparisonResult[] | null {
  const most = mostWeightsOf(model, used, termFrequency !== undefined);
  const results: (ComparisonResult | null)[] = new Array(used.length);
  let ceiling = prior;
  for (let n = 0; n < used.length; n++) {
    const comparison = used[n]!;
    // A comparison that costs says whether both records give what it compares: if they do, it is made later.
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
  let named = false;
  for (let n = 0; n < used.length; n++) {
    if (results[n]) continue;
    const comparison = used[n]!;
    const result = (results[n] = comparison.compare(a, b));
    ceiling += comparisonWeight(model, comparison, result, termFrequency, named) - most[n]!;
    if (comparison.name === 'name') named = namesAgree(result.level);
    if (ceiling < floorWeight) return null;
  }
  return results as ComparisonResult[];
}

/**
 * A pair's match weight and probability alone, without the explanation: what linking needs for the
 * hundred-odd candidates of a child, of which only her best are explained. The same sum in the same
 * order as scorePrepared, so the same figures to the last bit; a pair whose photograph weighs for it
 * takes scorePrepared itself, which may cut that weight (limitUnsupportedPhoto).
 */
export function weighPrepared(missing: PreparedRecord, found: PreparedRecord, model: Model = defaultModel, termFrequency?: TermFrequency, reports?: number, results?: readonly ComparisonResult[]): { probability: number; matchWeight: number } {
  let total = priorWeight(model, reports);
  let named = false;
  for (const [n, comparison] of comparisons.entries()) {
    const result = results?.[n] ?? comparison.compare(missing, found);
    const weight = comparisonWeight(model, comparison, result, termFrequency, named);
    if (comparison.name === 'name') named = namesAgree(result.level);
    if (comparison.name === 'photo' && weight > 0) {
      const { probability, matchWeight } = scorePrepared(missing, found, model, termFrequency, reports, results);
      return { probability, matchWeight };
    }
    total += weight;
  }
  const odds = 2 ** total;
  return { probability: Number.isFinite(odds) ? odds / (1 + odds) : 1, matchWeight: round(total) };
}

/**
 * A photograph is never enough alone: the same picture can be a poster of a different child, and
 * face matching of children has a poor record. Unless the rest of the evidence (the prior left out)
 * is worth at least this many bits for the pair, the photo's weight is cut so that the pair stays
 * under `photoAloneCeiling`, and its level says so.
 */
export const photoSupportBits = 3;
export const photoAloneCeiling = 0.45;

/** Applies the rule above to a scored pair's explanation (changed in place); returns the new total. */
export function limitUnsupportedPhoto(explanation: ExplanationEntry[], total: number): number {
  const photo = explanation.find((entry) => entry.comparison === 'photo');
  if (!photo || photo.weight <= 0) return total;
  const prior = explanation[0]?.comparison === 'prior' ? explanation[0].weight : 0;
  const rest = total - photo.weight - prior;
  if (rest >= photoSupportBits) return total;
  const allowed = Math.max(0, Math.min(photo.weight, Math.log2(photoAloneCeiling / (1 - photoAloneCeiling)) - (total - photo.weight)));
  const cut = photo.weight - allowed;
  if (cut <= 0) return total;
  photo.weight = round(allowed);
  photo.level = `${photo.level}_unsupported`;
  return total - cut;
}

/**
 * A found child is the other half of at most one report, and a report of at most one child, so the
 * candidates of one record compete: a pair's probability weighs its odds, W = 2^matchWeight, against
 * the odds of the other live candidates of both its records,
 *   P = W / (1 + W + Σ others of the report + Σ others of the child).
 * Alone, a pair keeps its pairwise probability W / (1 + W); beside a stronger look-alike it falls.
 * `milap link` sums over the pairs it scored, the service over the pairs it keeps (store.ts,
 * refreshProbabilities, the same formula in SQL).
 */
export function competingProbability(matchWeight: number, reportOthers: number, childOthers: number): number {
  const odds = pairOdds(matchWeight);
  return odds / (1 + odds + reportOthers + childOthers);
}

/** A pair's odds from its match weight, kept finite when summed (past 500 bits a pair is certain either way). */
export const pairOdds = (matchWeight: number): number => 2 ** Math.max(-500, Math.min(500, matchWeight));

/** The comparison vector of a pair (its level on each comparison), for training. */
export function comparisonVector(missing: PreparedRecord, found: PreparedRecord): string[] {
  return comparisons.map((comparison) => comparison.compare(missing, found).level);
}
