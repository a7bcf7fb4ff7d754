// Duplicates within one side: two missing reports of the same child (filed at two police stations)
// or two registrations of one found child (moved between shelters). Like is compared with like:
// the same comparisons and weights as a missing-found pair, but for the one that only has meaning
// across the sides (found after missing; for two registrations, where each shelter found the child),
// and each comparison keeps its weaker answer of the two ways round, so the score is symmetric.
import { comparisons } from './comparisons.ts';
import { defaultModel, levelWeight, limitUnsupportedPhoto, priorWeight, type ExplanationEntry, type Model, type PairScore, type TermFrequency } from './model.ts';
import type { PreparedRecord } from './prepare.ts';

/** Comparisons that say nothing about two records of the same side. */
const acrossSidesOnly = new Set(['time']);

/** Pairs at or above this probability are put before an officer as possible duplicates. */
export const duplicateFloor = 0.5;

const round = (value: number) => Math.round(value * 1000) / 1000;

export function scoreDuplicate(a: PreparedRecord, b: PreparedRecord, model: Model = defaultModel, termFrequency?: TermFrequency): PairScore {
  const prior = priorWeight(model);
  const explanation: ExplanationEntry[] = [{ comparison: 'prior', level: 'base rate', weight: round(prior) }];
  let total = prior;
  for (const comparison of comparisons) {
    if (acrossSidesOnly.has(comparison.name)) continue;
    // A child moved between shelters was registered in two places: where each found them says nothing.
    if (comparison.name === 'where_found' && a.side === 'found' && b.side === 'found') continue;
    // Each comparison runs both ways round and keeps the weaker answer: symmetric by construction.
    const one = comparison.compare(a, b);
    const two = comparison.compare(b, a);
    const weigh = (result: typeof one) => {
      let weight = levelWeight(model, comparison.name, result.level);
      if (termFrequency && result.keys?.length && comparison.termFrequencyLevels?.includes(result.level)) {
        const frequencies = result.keys.map(termFrequency).filter((f): f is number => f !== undefined && f > 0);
        if (frequencies.length) {
          const u = model.comparisons[comparison.name]![result.level]!.u;
          weight += Math.max(model.termFrequency.minimumAdjustment, Math.min(model.termFrequency.maximumAdjustment, Math.log2(u / Math.min(...frequencies))));
        }
      }
      return weight;
    };
    const [weight, level] = [[weigh(one), one.level], [weigh(two), two.level]].sort((x, y) => (x[0] as number) - (y[0] as number))[0] as [number, string];
    total += weight;
    explanation.push({ comparison: comparison.name, level, weight: round(weight) });
  }
  total = limitUnsupportedPhoto(explanation, total);
  const odds = 2 ** total;
  return { probability: Number.isFinite(odds) ? odds / (1 + odds) : 1, matchWeight: round(total), explanation };
}
