// Property tests over whole records: whatever a clerk or a hostile client types into any text field
// (mixed scripts, right-to-left text, combining marks, 10,000-character names), preparing, keying
// and scoring a pair never throws, gives a probability in [0, 1], and the comparisons that have no
// direction give the same answer both ways round.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blockingKeys } from '../../matchers/blocking.ts';
import { scoreDuplicate, scoreDuplicateAbove } from '../../matchers/duplicates.ts';
import { generateWorld } from '../../fixtures/synth/world.ts';
import { parseMarks } from '../../matchers/marks.ts';
import { scoreAbove, scorePrepared, weighAbove } from '../../matchers/model.ts';
import { compareNames, prepareName } from '../../matchers/names/compare.ts';
import { resolvePlace } from '../../matchers/places.ts';
import { prepareFound, prepareMissing } from '../../matchers/prepare.ts';
import { fullFoundChild, fullMissingReport } from '../helpers/people.ts';

const hostile = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    'रमेश कुमार @ राजू', 'লক্ষ্মী দেবী', 'محمد علی', 'ரமேஷ் s/o முருகன்', 'ਗੁਰਪ੍ਰੀਤ ਕੌਰ', 'ରମେଶ', 'રમેશ', 'రమేష్', 'ರಮೇಶ್', 'രമേശ്',
    'x'.repeat(10_000), 'क'.repeat(10_000), '\u202Eabc\u0301\u0301', '\u200D\u200C', 'Km. Smt. Late', 'S.', '@', "'; DROP TABLE missing_report; --",
    '../../etc/passwd', '\u0000', '\uFEFF', 'Ram\u0308esh', '😀👧🏽', 'ﷺ', 'Ⅻ', 'ß', 'İstanbul',
  ),
);

const place = fc.record({ place: fc.option(hostile, { nil: null }), district: fc.option(hostile, { nil: null }), state: fc.option(hostile, { nil: null }) });

describe('any text in any field', () => {
  it('prepares, keys and scores without throwing, with a probability in [0, 1]', () => {
    fc.assert(
      fc.property(hostile, hostile, hostile, hostile, place, place, fc.array(hostile, { maxLength: 3 }), (name, father, foundName, marks, lastSeen, foundAt, languages) => {
        const report = prepareMissing(fullMissingReport({ name, fatherName: father, lastSeen, home: lastSeen, identificationMarks: marks, aliases: languages, languages }));
        const child = prepareFound(fullFoundChild({ name: foundName, fatherName: name, foundAt, statedHome: foundAt, identificationMarks: marks, languages }));
        const score = scorePrepared(report, child);
        expect(score.probability).toBeGreaterThanOrEqual(0);
        expect(score.probability).toBeLessThanOrEqual(1);
        expect(Number.isFinite(score.matchWeight)).toBe(true);
        expect(blockingKeys(report).every((key) => typeof key === 'string' && key.length > 2)).toBe(true);
        expect(Array.isArray(blockingKeys(child))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('names compare the same both ways round; places and marks never throw', () => {
    fc.assert(
      fc.property(hostile, hostile, (a, b) => {
        // Names compared both ways round agree; places and marks parse without throwing.
        const x = prepareName(a);
        const y = prepareName(b);
        if (x && y) expect(compareNames(x, y).level).toBe(compareNames(y, x).level);
        expect(() => resolvePlace({ place: a, district: b, state: a })).not.toThrow();
        expect(Array.isArray(parseMarks(a))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('a pair scores the same as its mirror when both records carry the same fields', () => {
    fc.assert(
      fc.property(hostile, hostile, (a, b) => {
        const report = (name: string, father: string) => prepareMissing(fullMissingReport({ name, fatherName: father, aliases: [] }));
        const child = (name: string, father: string) => prepareFound(fullFoundChild({ name, fatherName: father, aliases: [], birthDate: '2014-02-11', apparentAgeYears: null, ageRangeYears: null }));
        // Swapping which record carries which name leaves the name comparison's level alone.
        const one = scorePrepared(report(a, 'Ramesh Mahto'), child(b, 'Ramesh Mahto')).explanation.find((e) => e.comparison === 'name');
        const two = scorePrepared(report(b, 'Ramesh Mahto'), child(a, 'Ramesh Mahto')).explanation.find((e) => e.comparison === 'name');
        expect(one?.level).toBe(two?.level);
      }),
      { numRuns: 300 },
    );
  });

  it('a duplicate scored against a floor is the full score, or null exactly when the full score is under it', () => {
    const world = generateWorld({ missing: 40, found: 30, seed: 7 });
    const reports = world.missing.flatMap((report) => [prepareMissing(report), prepareMissing({ ...report, ref: `${report.ref}-again`, fatherName: null })]);
    const children = world.found.flatMap((child) => [prepareFound(child), prepareFound({ ...child, ref: `${child.ref}-again`, heightCm: null })]);
    let above = 0;
    for (const records of [reports, children]) {
      for (const [i, a] of records.entries()) {
        for (const b of records.slice(i + 1)) {
          const full = scoreDuplicate(a, b);
          for (const floor of [0.01, 0.5, 0.99]) {
            const bounded = scoreDuplicateAbove(a, b, floor);
            if (full.probability < floor) expect(bounded).toBeNull();
            else expect(bounded).toEqual(full);
          }
          if (full.probability >= 0.5) above++;
        }
      }
    }
    expect(above).toBeGreaterThanOrEqual(50); // most records and their copies: the floor is tested from both sides
  });

  it('a pair scored or weighed against a floor is the full score, or null only when the full score is under it', () => {
    const world = generateWorld({ missing: 60, found: 40, seed: 11 });
    const reports = world.missing.map((report) => prepareMissing(report));
    const children = world.found.map((child) => prepareFound(child));
    // Name keys of every kind of commonness: the term-frequency adjustment moves a pair's most weight.
    const termFrequency = (key: string) => (key.length % 3 === 0 ? 0.0002 : key.length % 3 === 1 ? 0.02 : undefined);
    let givenUp = 0;
    for (const report of reports) {
      for (const child of children) {
        for (const tf of [termFrequency, undefined]) {
          const full = scorePrepared(report, child, undefined, tf, 1000);
          // A floor just under the pair's own probability: never given up, whatever its comparisons.
          expect(scoreAbove(report, child, full.probability * (1 - 1e-9), undefined, tf, 1000)).toEqual(full);
          const bounded = scoreAbove(report, child, 0.001, undefined, tf, 1000);
          // Weighed without the explanation (`milap link`), by the same rule.
          const weighed = weighAbove(report, child, 0.001, undefined, tf, 1000);
          expect(weighed && { probability: weighed.probability, matchWeight: weighed.matchWeight }).toEqual(bounded && { probability: bounded.probability, matchWeight: bounded.matchWeight });
          if (bounded) expect(bounded).toEqual(full);
          else {
            expect(full.probability).toBeLessThan(0.001);
            givenUp++;
          }
        }
      }
    }
    // Most unrelated pairs are given up at the service's floor, most before their names are compared.
    expect(givenUp / (reports.length * children.length * 2)).toBeGreaterThan(0.5);
  });

  it('two records of one side score the same as duplicates whichever comes first', () => {
    fc.assert(
      fc.property(hostile, hostile, hostile, place, place, (a, b, father, one, two) => {
        const x = prepareMissing(fullMissingReport({ name: a, fatherName: father, lastSeen: one, home: one }));
        const y = prepareMissing(fullMissingReport({ name: b, fatherName: 'Ramesh Mahto', lastSeen: two, home: two, ageYears: 12, birthDate: null }));
        expect(scoreDuplicate(x, y)).toEqual(scoreDuplicate(y, x));
        const p = prepareFound(fullFoundChild({ name: a, foundAt: one }));
        const q = prepareFound(fullFoundChild({ name: b, foundAt: two, apparentAgeYears: 8, ageRangeYears: null }));
        expect(scoreDuplicate(p, q)).toEqual(scoreDuplicate(q, p));
      }),
      { numRuns: 200 },
    );
  });
});
