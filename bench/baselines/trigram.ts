// Baseline: PostgreSQL pg_trgm's similarity of the names as written: each word lowercased and padded
// with two spaces in front and one behind, its trigrams shared over all; similarity is shared
// trigrams over all trigrams of both. Candidates are what pg_trgm's `%` returns (similarity at
// least 0.3, its default); "likely" is a similarity of at least `likelyAt`.
import type { FoundChild, MissingReport } from '../../matchers/record.ts';
import type { BaselineOptions, BaselinePair } from './pair.ts';

export function trigrams(text: string | null | undefined): Set<string> {
  const grams = new Set<string>();
  for (const word of (text ?? '').toLowerCase().split(/[^\p{L}\p{M}\p{N}]+/u).filter(Boolean)) {
    const padded = `  ${word} `;
    for (let i = 0; i + 3 <= padded.length; i++) grams.add(padded.slice(i, i + 3));
  }
  return grams;
}

export function* trigramLink(missing: MissingReport[], found: FoundChild[], options: BaselineOptions & { threshold?: number; likelyAt?: number } = {}): Generator<BaselinePair> {
  const { top = 10, threshold = 0.3, likelyAt = 0.6 } = options;
  const sizes = new Int32Array(missing.length);
  const index = new Map<string, number[]>();
  missing.forEach((report, position) => {
    const grams = trigrams(report.name);
    sizes[position] = grams.size;
    for (const gram of grams) {
      const postings = index.get(gram);
      if (postings) postings.push(position);
      else index.set(gram, [position]);
    }
  });
  const shared = new Int32Array(missing.length);
  for (const child of found) {
    const mine = trigrams(child.name);
    if (!mine.size) continue;
    const touched: number[] = [];
    for (const gram of mine) {
      for (const position of index.get(gram) ?? []) if (shared[position]!++ === 0) touched.push(position);
    }
    const scored = touched.map((position) => ({ position, similarity: shared[position]! / (mine.size + sizes[position]! - shared[position]!) }));
    for (const position of touched) shared[position] = 0;
    scored.sort((a, b) => b.similarity - a.similarity || a.position - b.position);
    for (const { position, similarity } of scored.slice(0, top)) {
      if (similarity < threshold) break;
      const weight = Number(similarity.toFixed(4));
      yield { missingRef: missing[position]!.ref, foundRef: child.ref, probability: similarity, matchWeight: weight, explanation: [{ comparison: 'name', level: 'trigram', weight }], likely: similarity >= likelyAt };
    }
  }
}
