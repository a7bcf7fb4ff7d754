// The quality bench's baselines: each finds a pair written with the same name and ranks it first,
// and each says "likely" by its own rule.
import { describe, expect, it } from 'vitest';
import { exactNameLink, normalisedName } from '../bench/baselines/exact-name.ts';
import type { BaselinePair } from '../bench/baselines/pair.ts';
import { primeroLink } from '../bench/baselines/primero.ts';
import { trigramLink, trigrams } from '../bench/baselines/trigram.ts';
import { byFoundChild, measure } from '../bench/quality-measure.ts';
import type { FoundChild, MissingReport } from '../matchers/record.ts';

const report = (ref: string, name: string, extra: Partial<MissingReport> = {}): MissingReport => ({
  ref, name, sex: 'female', ageYears: 9, missingSince: '2023-03-10', home: { district: 'Dhanbad', state: 'Jharkhand' }, fatherName: 'Ramesh Mahto', ...extra,
});
const child = (ref: string, name: string | null, extra: Partial<FoundChild> = {}): FoundChild => ({
  ref, ...(name && { name }), sex: 'female', apparentAgeYears: 9, foundOn: '2023-06-01', statedHome: { district: 'Dhanbad' }, fatherName: 'Ramesh', ...extra,
});

const missing = [
  report('FIR-1/2023', 'Pooja Kumari', { fatherName: 'Suresh Yadav', home: { district: 'Gaya' }, ageYears: 14 }),
  report('FIR-2/2023', 'Lakshmi  Kumari'),
  report('FIR-3/2023', 'Lakshmi Devi', { fatherName: 'Mohan Paswan', home: { district: 'Patna' }, ageYears: 15 }),
  report('FIR-4/2023', 'Tanushree Mondal', { fatherName: 'Subrata Mondal', home: { district: 'Nadia' }, sex: 'female', ageYears: 12 }),
  report('FIR-5/2023', 'Raju Kumar', { sex: 'male', fatherName: 'Ramesh Yadav' }),
  // Others who share only sex, age or place, as most of a real register does: Primero's "likely"
  // needs them, since it compares a hit with the mean of its 20 hits.
  ...['Anita', 'Bhavna', 'Chanda', 'Durga', 'Farhana', 'Gulnaz', 'Hetal', 'Jasleen', 'Kavya', 'Meena', 'Nazia', 'Padma', 'Rupali', 'Sasmita', 'Uma', 'Vani', 'Yasmin', 'Zoya']
    .map((name, i) => report(`FIR-${10 + i}/2024`, name, { ageYears: 4 + (i % 12), fatherName: null, home: { district: i % 2 ? 'Dhanbad' : 'Ranchi' } })),
];
const found = [child('CCI-DL-00001', 'LAKSHMI KUMARI'), child('CCI-DL-00002', null), child('CCI-DL-00003', 'लछमी')];

const linkers: [string, () => Iterable<BaselinePair>][] = [
  ['exact normalised name', () => exactNameLink(missing, found)],
  ['trigram similarity', () => trigramLink(missing, found)],
  ['Primero', () => primeroLink(missing, found)],
];

describe.each(linkers)('%s', (_label, link) => {
  it('ranks the report written with the same name first, and calls it likely', () => {
    const best = byFoundChild(link()).get('CCI-DL-00001')?.[0];
    expect(best?.missingRef).toBe('FIR-2/2023');
    expect(best?.likely).toBe(true);
  });

  it('yields pairs in the shape linkRecords does, probabilities between 0 and 1', () => {
    for (const pair of link()) {
      expect(Object.keys(pair).sort()).toEqual(['explanation', 'foundRef', 'likely', 'matchWeight', 'missingRef', 'probability']);
      expect(pair.probability).toBeGreaterThan(0);
      expect(pair.probability).toBeLessThanOrEqual(1);
    }
  });
});

describe('the baselines by name alone', () => {
  it('cannot match a child with no name', () => {
    for (const [, link] of linkers.slice(0, 2)) expect([...link()].some((p) => p.foundRef === 'CCI-DL-00002')).toBe(false);
  });

  it.each([
    ['  Lakshmi\u00A0 KUMARI ', 'lakshmi kumari'],
    ['ﬁroz', 'firoz'],
  ])('normalise %j to %j', (name, normal) => {
    expect(normalisedName(name)).toBe(normal);
  });

  it('take trigrams of each word as pg_trgm does', () => {
    expect([...trigrams('Raju')].sort()).toEqual(['  r', ' ra', 'aju', 'ju ', 'raj'].sort());
  });
});

describe('Primero', () => {
  it('finds a Double Metaphone spelling variant through the name clause', () => {
    const pairs = [...primeroLink(missing, [child('CCI-WB-00001', 'Tanushri', { fatherName: 'Subrata', statedHome: { district: 'Nadia' }, apparentAgeYears: 12 })])];
    expect(pairs[0]?.missingRef).toBe('FIR-4/2023');
    expect(pairs[0]?.explanation.map((e) => e.comparison)).toEqual(expect.arrayContaining(['name', 'sex', 'age', 'relation', 'place']));
  });
});

describe('measure', () => {
  it('counts recall at ranks, likely pairs and false alarms', () => {
    const candidates = [
      { missingRef: 'A', foundRef: 'x', probability: 0.9 }, { missingRef: 'B', foundRef: 'x', probability: 0.6 },
      { missingRef: 'C', foundRef: 'y', probability: 0.7 }, { missingRef: 'D', foundRef: 'y', probability: 0.2 },
      { missingRef: 'E', foundRef: 'z', probability: 0.8 },
    ];
    const truePairs = [{ missingRef: 'A', foundRef: 'x' }, { missingRef: 'D', foundRef: 'y' }];
    const quality = measure(byFoundChild(candidates), truePairs, ['x', 'y', 'z', 'w'], (c) => c.probability >= 0.5);
    expect(quality).toMatchObject({ recallAt1: 0.5, recallAt10: 1, blockingRecall: 1, precision: 0.25, recall: 0.5, unmatchedWithLikelyPair: 0.5, likelyPairsPerFoundChild: 1 });
  });
});
