// The figures bench/quality.ts prints for each linker, from its candidate pairs and the true pairs.
export interface Candidate {
  missingRef: string;
  foundRef: string;
  probability: number;
}

export interface Quality {
  recallAt1: number;
  recallAt10: number;
  /** The share of true pairs among the candidates at all (for milap: what blocking let through). */
  blockingRecall: number;
  precision: number;
  recall: number;
  f1: number;
  /** Found children with no report who still get a likely pair: false alarms an officer must clear. */
  unmatchedWithLikelyPair: number;
  likelyPairsPerFoundChild: number;
}

export interface TruePair {
  missingRef: string;
  foundRef: string;
  noise?: readonly string[];
}

/** Candidates by found child, best first. */
export function byFoundChild<C extends Candidate>(candidates: Iterable<C>): Map<string, C[]> {
  const lists = new Map<string, C[]>();
  for (const candidate of candidates) {
    const list = lists.get(candidate.foundRef);
    if (list) list.push(candidate);
    else lists.set(candidate.foundRef, [candidate]);
  }
  for (const list of lists.values()) list.sort((a, b) => b.probability - a.probability);
  return lists;
}

/** The true report's rank among each matched found child's candidates (-1: not among them). */
export function truthRanks(lists: Map<string, Candidate[]>, truePairs: TruePair[]): Map<TruePair, number> {
  return new Map(truePairs.map((pair) => [pair, (lists.get(pair.foundRef) ?? []).findIndex((c) => c.missingRef === pair.missingRef)]));
}

/** `likely(pair)` is each linker's own rule for "in front of an officer" (probability 0.5 for milap). */
export function measure<C extends Candidate>(lists: Map<string, C[]>, truePairs: TruePair[], foundRefs: string[], likely: (pair: C) => boolean, allCandidates?: Map<string, Candidate[]>): Quality {
  const truth = new Map(truePairs.map((pair) => [pair.foundRef, pair.missingRef]));
  const ranks = truthRanks(lists, truePairs);
  const atRank = (limit: number) => [...ranks.values()].filter((rank) => rank >= 0 && rank < limit).length;
  const blocked = allCandidates ? [...truthRanks(allCandidates, truePairs).values()].filter((rank) => rank >= 0).length : atRank(Infinity);
  let likelyTotal = 0, likelyTrue = 0, unmatchedLikely = 0;
  for (const foundRef of foundRefs) {
    const answer = truth.get(foundRef);
    const likelyOnes = (lists.get(foundRef) ?? []).filter(likely);
    likelyTotal += likelyOnes.length;
    likelyTrue += likelyOnes.filter((c) => c.missingRef === answer).length;
    if (!answer && likelyOnes.length) unmatchedLikely++;
  }
  const withReport = truePairs.length || 1;
  const precision = likelyTotal ? likelyTrue / likelyTotal : 0;
  const recall = likelyTrue / withReport;
  return {
    recallAt1: atRank(1) / withReport, recallAt10: atRank(10) / withReport, blockingRecall: blocked / withReport,
    precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
    unmatchedWithLikelyPair: unmatchedLikely / (foundRefs.length - truePairs.length || 1),
    likelyPairsPerFoundChild: likelyTotal / (foundRefs.length || 1),
  };
}

/** Recall@1 among the true pairs that carry each slip: which slips a linker survives. */
export function recallAt1ByNoise(lists: Map<string, Candidate[]>, truePairs: TruePair[]): Map<string, { pairs: number; recallAt1: number }> {
  const ranks = truthRanks(lists, truePairs);
  const tally = new Map<string, { pairs: number; first: number }>();
  for (const [pair, rank] of ranks) {
    for (const kind of pair.noise ?? []) {
      const entry = tally.get(kind) ?? { pairs: 0, first: 0 };
      entry.pairs++;
      if (rank === 0) entry.first++;
      tally.set(kind, entry);
    }
  }
  return new Map([...tally].map(([kind, { pairs, first }]) => [kind, { pairs, recallAt1: first / pairs }]));
}

/** One tenth of the probability scale: how many pairs the linker put there, and how many were true. */
export interface CalibrationBin {
  probability: string;
  pairs: number;
  meanProbability: number;
  shareTrue: number;
}

/**
 * Whether a probability means what it says: candidates in tenths of the probability scale, each with
 * its mean probability and the share of them that are true, and the expected calibration error
 * (the pairs' mean distance between the two, weighted by the pairs in each tenth).
 */
export function calibration(lists: Map<string, Candidate[]>, truePairs: TruePair[]): { bins: CalibrationBin[]; expectedError: number } {
  const truth = new Set(truePairs.map((pair) => `${pair.missingRef}\u0000${pair.foundRef}`));
  const tally = Array.from({ length: 10 }, () => ({ pairs: 0, sum: 0, true: 0 }));
  for (const list of lists.values()) {
    for (const candidate of list) {
      const bin = tally[Math.min(9, Math.floor(candidate.probability * 10))]!;
      bin.pairs++;
      bin.sum += candidate.probability;
      if (truth.has(`${candidate.missingRef}\u0000${candidate.foundRef}`)) bin.true++;
    }
  }
  const total = tally.reduce((sum, bin) => sum + bin.pairs, 0) || 1;
  return {
    bins: tally.map((bin, tenth) => ({
      probability: `${(tenth / 10).toFixed(1)}-${((tenth + 1) / 10).toFixed(1)}`,
      pairs: bin.pairs,
      meanProbability: bin.pairs ? bin.sum / bin.pairs : 0,
      shareTrue: bin.pairs ? bin.true / bin.pairs : 0,
    })),
    expectedError: tally.reduce((sum, bin) => sum + Math.abs(bin.true - bin.sum), 0) / total,
  };
}
