// Baseline: the same normalised name (NFKC, lowercase, single spaces) and nothing else; every
// such pair is "likely".
import type { FoundChild, MissingReport } from '../../matchers/record.ts';
import type { BaselineOptions, BaselinePair } from './pair.ts';

export const normalisedName = (name: string | null | undefined): string => (name ?? '').normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();

export function* exactNameLink(missing: MissingReport[], found: FoundChild[], options: BaselineOptions = {}): Generator<BaselinePair> {
  const top = options.top ?? 10;
  const byName = new Map<string, MissingReport[]>();
  for (const report of missing) {
    const key = normalisedName(report.name);
    const reports = byName.get(key);
    if (reports) reports.push(report);
    else byName.set(key, [report]);
  }
  for (const child of found) {
    const key = normalisedName(child.name);
    if (!key) continue;
    for (const report of (byName.get(key) ?? []).slice(0, top)) {
      yield { missingRef: report.ref, foundRef: child.ref, probability: 1, matchWeight: 1, explanation: [{ comparison: 'name', level: 'exact', weight: 1 }], likely: true };
    }
  }
}
