// Estimating the model from data, as Splink does: u from random pairs (nearly all unrelated), m by
// expectation-maximisation over blocked pairs, one session per blocking rule with the comparisons
// that rule fixes left alone, and m from labelled true pairs when there are any.
import { comparisons } from './comparisons.ts';
import type { LevelParameters, Model } from './model.ts';

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
  return withParameters(model, (name, level, old) => ({ ...old, u: shares[name]?.[level] ?? old.u }));
}

/**
 * The parameters beside agreeing names (model.ts, LevelParameters.named) of the comparisons that
 * depend on them (comparisons.ts, givenName): u from random pairs whose names agree, m from true
 * pairs whose names agree (or, without labels, `namedM`, the m learnt by EM over pairs blocked on
 * names). A level neither set shows `minimum` times gets none, and weighs by its m and u.
 */
export function estimateNamed(model: Model, randomNamed: Vector[], trueNamed: Vector[] | null, namedM?: Model, minimum = 5): Model {
  const uShares = levelShares(randomNamed);
  const mShares = trueNamed ? levelShares(trueNamed) : null;
  const count = (vectors: Vector[] | null, c: number, level: string) => (vectors ?? []).reduce((n, vector) => n + (vector[c] === level ? 1 : 0), 0);
  return withParameters(model, (name, level, old) => {
    const { named: _, ...rest } = old;
    const c = names.indexOf(name);
    const u = uShares[name]?.[level];
    const m = mShares ? mShares[name]?.[level] : namedM?.comparisons[name]?.[level]?.m;
    if (!comparisons[c]!.givenName || u === undefined || m === undefined) return rest;
    if (count(randomNamed, c, level) < minimum && count(trueNamed, c, level) < minimum) return rest;
    return { ...rest, named: { m, u } };
  });
}

/** m from pairs known to be true (an officer's confirmed decisions, or a synthetic world's truth). */
export function estimateMFromLabels(model: Model, trueVectors: Vector[]): Model {
  const shares = levelShares(trueVectors);
  return withParameters(model, (name, level, old) => ({ ...old, m: shares[name]?.[level] ?? old.m }));
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
    current = withParameters(current, (name, level, old) => (fixed.includes(name) ? old : { ...old, m: shares[name]?.[level] ?? old.m }));
  }
  return { model: current, matchShare: lambda };
}

/** The mean of several sessions' m, each comparison over the sessions that could learn it. */
export function combineSessions(base: Model, sessions: { model: Model; fixed: string[] }[]): Model {
  return withParameters(base, (name, level, old) => {
    const learnt = sessions.filter((session) => !session.fixed.includes(name)).map((session) => session.model.comparisons[name]![level]!.m);
    return { ...old, m: learnt.length ? learnt.reduce((a, b) => a + b, 0) / learnt.length : old.m };
  });
}

/**
 * A level that neither the random pairs nor the true pairs show a handful of times weighs nothing:
 * its m and u would be the smoothing alone (half a pair each), whose ratio says only how many pairs
 * of each kind there were (it gave a mother's initial +5 bits from no pair at all).
 */
export function neutraliseUnseen(model: Model, randomVectors: Vector[], trueVectors: Vector[], minimum = 5): Model {
  const count = (vectors: Vector[], c: number, level: string) => vectors.reduce((n, vector) => n + (vector[c] === level ? 1 : 0), 0);
  // A comparison the data never observed at all (photos in a synthetic world) keeps its parameters.
  const observed = (c: number) => [...randomVectors, ...trueVectors].some((vector) => vector[c] !== 'unknown');
  return withParameters(model, (name, level, old) => {
    const c = names.indexOf(name);
    if (c < 0 || !observed(c) || count(randomVectors, c, level) >= minimum || count(trueVectors, c, level) >= minimum) return old;
    return { m: old.u, u: old.u };
  });
}

/**
 * Keeps the weights of an ordered comparison's levels in their order (a nearer place, a closer age,
 * is never weaker evidence than a farther one): adjacent levels whose weights run the wrong way are
 * pooled, as isotonic regression does, each keeping its u and sharing the pool's m/u. A level a
 * training world never shows (a child naming the district next to home) otherwise gets a weight
 * from a handful of pairs, and a strong one against.
 */
export function keepLevelOrder(model: Model): Model {
  const updated: Model['comparisons'] = { ...model.comparisons };
  for (const comparison of comparisons) {
    const parameters = model.comparisons[comparison.name];
    if (!comparison.ordered || !parameters) continue;
    const pooled: Record<string, LevelParameters> = { ...parameters };
    const ratios = pooledRatios(comparison.levels.flatMap((level) => (parameters[level] ? [{ level, m: parameters[level].m, u: parameters[level].u }] : [])));
    for (const [level, ratio] of ratios) pooled[level] = { ...parameters[level]!, m: parameters[level]!.u * ratio };
    // The weights beside agreeing names keep their order too.
    const named = pooledRatios(comparison.levels.flatMap((level) => (pooled[level]?.named ? [{ level, ...pooled[level].named }] : [])));
    for (const [level, ratio] of named) pooled[level] = { ...pooled[level]!, named: { m: pooled[level]!.named!.u * ratio, u: pooled[level]!.named!.u } };
    updated[comparison.name] = pooled;
  }
  return { ...model, comparisons: updated };
}

/** Each level's m/u once adjacent levels whose ratios run the wrong way are pooled (isotonic regression). */
function pooledRatios(levels: { level: string; m: number; u: number }[]): Map<string, number> {
  const blocks: { levels: string[]; m: number; u: number }[] = [];
  for (const { level, m, u } of levels) {
    blocks.push({ levels: [level], m, u });
    while (blocks.length > 1 && blocks.at(-2)!.m / blocks.at(-2)!.u < blocks.at(-1)!.m / blocks.at(-1)!.u) {
      const last = blocks.pop()!;
      const before = blocks.at(-1)!;
      blocks[blocks.length - 1] = { levels: [...before.levels, ...last.levels], m: before.m + last.m, u: before.u + last.u };
    }
  }
  return new Map(blocks.flatMap((block) => block.levels.map((level) => [level, block.m / block.u] as const)));
}

/** Every level of every comparison the code knows (a level new to the model starts even), updated. */
function withParameters(model: Model, update: (comparison: string, level: string, old: LevelParameters) => LevelParameters): Model {
  const updated: Model['comparisons'] = { ...model.comparisons };
  for (const comparison of comparisons) {
    const levels = model.comparisons[comparison.name] ?? {};
    const even = { m: 1 / comparison.levels.length, u: 1 / comparison.levels.length };
    updated[comparison.name] = Object.fromEntries(comparison.levels.map((level) => [level, update(comparison.name, level, levels[level] ?? even)]));
  }
  return { ...model, comparisons: updated };
}
