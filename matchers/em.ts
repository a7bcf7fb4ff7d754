// Estimating the model from data, as Splink does: u from random pairs (nearly all unrelated), m by
// expectation-maximisation over blocked pairs, one session per blocking rule with the comparisons
// that rule fixes left alone, and m from labelled true pairs when there are any.
import { comparisons } from './comparisons.ts';
import type { Model } from './model.ts';

export type Vector = string[];
const names = comparisons.map((comparison) => comparison.name);

/**
 * Level frequencies over vectors (levels 'unknown' left out), smoothed so no level is 0. A
 * comparison the data never observed (no photos in a world, say) is absent: its parameters stay.
 */
function levelShares(vectors: Vector[], weights?: number[]): Record<string, Record<string, number> | undefined> {
  const shares: Record<string, Record<string, number> | undefined> = {};
  comparisons.forEach((comparison, c) => {
    const counts: Record<string, number> = Object.fromEntries(comparison.levels.map((level) => [level, 0.5]));
    let total = comparison.levels.length * 0.5;
    let observed = 0;
    vectors.forEach((vector, i) => {
      const level = vector[c]!;
      if (level === 'unknown') return;
      const weight = weights ? weights[i]! : 1;
      counts[level] = (counts[level] ?? 0.5) + weight;
      total += weight;
      observed++;
    });
    if (observed) shares[comparison.name] = Object.fromEntries(comparison.levels.map((level) => [level, counts[level]! / total]));
  });
  return shares;
}

/** u: how often each level appears among random pairs. */
export function estimateU(model: Model, randomVectors: Vector[]): Model {
  const shares = levelShares(randomVectors);
  return withParameters(model, (name, level, old) => ({ m: old.m, u: shares[name]?.[level] ?? old.u }));
}

/** m from pairs known to be true (an officer's confirmed decisions, or a synthetic world's truth). */
export function estimateMFromLabels(model: Model, trueVectors: Vector[]): Model {
  const shares = levelShares(trueVectors);
  return withParameters(model, (name, level, old) => ({ m: shares[name]?.[level] ?? old.m, u: old.u }));
}

/**
 * EM over the blocked pairs of one session: `fixed` are the comparisons the blocking rule made agree,
 * whose m can't be learnt here. Returns the model with the others' m and the share of matches.
 */
export function expectationMaximisation(model: Model, vectors: Vector[], fixed: string[], iterations = 25): { model: Model; matchShare: number } {
  let current = model;
  let lambda = 0.1;
  for (let iteration = 0; iteration < iterations; iteration++) {
    const weights = vectors.map((vector) => {
      let m = lambda;
      let u = 1 - lambda;
      vector.forEach((level, c) => {
        const name = names[c]!;
        if (level === 'unknown' || fixed.includes(name)) return;
        const parameters = current.comparisons[name]![level]!;
        m *= parameters.m;
        u *= parameters.u;
      });
      return m / (m + u);
    });
    lambda = Math.min(0.99, Math.max(1e-6, weights.reduce((a, b) => a + b, 0) / Math.max(1, weights.length)));
    const shares = levelShares(vectors, weights);
    current = withParameters(current, (name, level, old) => (fixed.includes(name) ? old : { m: shares[name]?.[level] ?? old.m, u: old.u }));
  }
  return { model: current, matchShare: lambda };
}

/** The mean of several sessions' m, each comparison over the sessions that could learn it. */
export function combineSessions(base: Model, sessions: { model: Model; fixed: string[] }[]): Model {
  return withParameters(base, (name, level, old) => {
    const learnt = sessions.filter((session) => !session.fixed.includes(name)).map((session) => session.model.comparisons[name]![level]!.m);
    return { m: learnt.length ? learnt.reduce((a, b) => a + b, 0) / learnt.length : old.m, u: old.u };
  });
}

function withParameters(model: Model, update: (comparison: string, level: string, old: { m: number; u: number }) => { m: number; u: number }): Model {
  const updated: Model['comparisons'] = {};
  for (const [name, levels] of Object.entries(model.comparisons)) {
    updated[name] = Object.fromEntries(Object.entries(levels).map(([level, parameters]) => [level, update(name, level, parameters)]));
  }
  return { ...model, comparisons: updated };
}
