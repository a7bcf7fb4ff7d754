// Blocking: which keys a record carries, and which pairs the keys admit, as milap link and the
// service apply them.
import { describe, expect, it } from 'vitest';
import { ageWindowOverlaps, blockingKeys, keyLimit, keyReach, keysAdmit, keyLimits, keyTooCommon, oneLetterDropped, middleBounds, rankAgeWeights, rankCarriersMax, rankDateWeight, rankDateWeightMost, rankedBest, rankTimeWeights, rankWeights, sexCompatible } from '../../matchers/blocking.ts';
import { CandidateIndex, selectDescending } from '../../matchers/candidate-index.ts';
import { candidatesOf } from '../../matchers/link.ts';
import { prepareFound, prepareMissing, type PreparedRecord } from '../../matchers/prepare.ts';
import type { FoundChild, MissingReport } from '../../matchers/record.ts';
import { ageLevel, timeLevel } from '../../matchers/age.ts';

const report = (ref: string, fields: Partial<MissingReport> = {}): MissingReport => ({
  ref, name: 'Pooja', sex: 'female', ageYears: 10, missingSince: '2023-01-01', home: { district: 'Gaya', state: 'Bihar' }, ...fields,
});
const child = (fields: Partial<FoundChild> = {}): FoundChild => ({ ref: 'CCI-1', name: 'Pooja', sex: 'female', apparentAgeYears: 11, foundOn: '2024-01-01', ...fields });
const shared = (m: MissingReport, f: FoundChild) => {
  const found = new Set(blockingKeys(prepareFound(f)));
  return blockingKeys(prepareMissing(m)).filter((key) => found.has(key));
};

describe('blocking keys', () => {
  it.each([
    ['a typo ("Sakhsi")', report('A', { name: 'Sakshi' }), child({ name: 'Sakhsi' }), 'd:saksi'],
    ['a dropped letter ("Kaal")', report('A', { name: 'Kajal' }), child({ name: 'Kaal' }), 'd:kaal'],
    ['a common name with the father', report('A', { fatherName: 'Raju Mahto' }), child({ fatherName: 'राजू' }), 'nf:raju:puj'],
    ['a common name with the home state', report('A'), child({ statedHome: { state: 'Bihar' } }), 'ns:puj:BR'],
    ['a name written in Urdu, by its consonants', report('A', { name: 'Rukhsar Khatun' }), child({ name: 'رخسار' }), 'c:rksr'],
    ['a name written in Tamil, its d written t', report('A', { name: 'Deepa' }), child({ name: 'தீபா' }), 'c:tp'],
    ['a father written in Urdu, by his consonants', report('A', { fatherName: 'Javed Ansari' }), child({ name: null, fatherName: 'جاوید' }), 'cf:cpt'],
    ['no name, the home district and sex', report('A'), child({ name: null, statedHome: { district: 'Gaya' } }), 'h:BR-gaya:female'],
    [
      'no name and no home, only the father, found where she was lost',
      report('A', { fatherName: 'Amit', home: null, lastSeen: { district: 'Banda', state: 'Uttar Pradesh' } }),
      child({ name: null, fatherName: 'अमित', foundAt: { district: 'Banda', state: 'Uttar Pradesh' } }),
      'fw:amit:UP-banda',
    ],
    [
      'no name and no home, found in her home district',
      report('A', { name: 'Kamalpreet Kaur', aliases: ['Guddi'], home: { district: 'Sri Muktsar Sahib', state: 'Punjab' }, lastSeen: { district: 'Pune', state: 'Maharashtra' } }),
      child({ name: null, foundAt: { district: 'Sri Muktsar Sahib', state: 'Punjab' } }),
      'h:PB-sri-muktsar-sahib:female',
    ],
    [
      'a pet name and no home, found in her home state',
      report('A', { name: 'Snehal Shinde', aliases: ['Guddi'], home: { state: 'Maharashtra' } }),
      child({ name: 'Guddi', foundAt: { district: 'Amravati', state: 'Maharashtra' } }),
      'ps:gudi:MH',
    ],
    [
      'no name, speaking the language of her home state far from it',
      report('A', { name: 'Bhavna Vaghela', home: { district: 'Daman', state: 'Dadra and Nagar Haveli and Daman and Diu' } }),
      child({ name: null, languages: ['Gujarati'], foundAt: { district: 'Kolkata', state: 'West Bengal' } }),
      'l:gu:female',
    ],
    [
      'the family name of the child and of the father',
      report('A', { name: 'Samatha Sastry', home: { district: 'Jangaon', state: 'Telangana' } }),
      child({ name: 'Babli', fatherName: 'Venkatesh Sastry', foundAt: { district: 'Ludhiana', state: 'Punjab' } }),
      'sn:sastri',
    ],
  ])('%s meet on a key', (_case, m, f, key) => {
    expect(shared(m, f)).toContain(key);
  });

  it('a child who names a home is keyed at it, not where she was found', () => {
    const keys = blockingKeys(prepareFound(child({ name: null, statedHome: { district: 'Gaya', state: 'Bihar' }, foundAt: { district: 'Pune', state: 'Maharashtra' } })));
    expect(keys.filter((key) => /^[hsw]:/.test(key)).sort()).toEqual(['h:BR-gaya:female', 's:BR:female', 'w:MH-pune:female']);
  });

  it('a language spoken where the child was found, or Hindi, says nothing of her home: no language key', () => {
    const languageKeys = (f: FoundChild) => blockingKeys(prepareFound(f)).filter((key) => key.startsWith('l:'));
    expect(languageKeys(child({ languages: ['Bengali'], foundAt: { district: 'Kolkata', state: 'West Bengal' } }))).toEqual([]);
    expect(languageKeys(child({ languages: ['Hindi'], foundAt: { district: 'Chennai', state: 'Tamil Nadu' } }))).toEqual([]);
    expect(languageKeys(child({ languages: ['Bengali', 'Hindi'], foundAt: { district: 'Chennai', state: 'Tamil Nadu' } }))).toEqual(['l:bn:female']);
    // A report's own languages, when it gives any besides Hindi; else its home state's.
    const reportKeys = (m: MissingReport) => blockingKeys(prepareMissing(m)).filter((key) => key.startsWith('l:'));
    expect(reportKeys(report('A', { languages: ['Urdu'] }))).toEqual(['l:ur:female']);
    expect(reportKeys(report('A', { home: { district: 'Daman', state: 'Dadra and Nagar Haveli and Daman and Diu' } }))).toEqual(['l:gu:female', 'l:mr:female']);
  });

  it('drops one letter at a time, keeping the key itself', () => {
    expect(oneLetterDropped('rahul')).toEqual(['rahul', 'ahul', 'rhul', 'raul', 'rahl', 'rahu']);
    expect(oneLetterDropped('ra')).toEqual(['ra']);
  });

  it('a report\'s place keys stay its own: home under h, last seen under w', () => {
    const keys = blockingKeys(prepareMissing(report('A', { lastSeen: { district: 'Patna', state: 'Bihar' } })));
    expect(keys.filter((key) => /^[hw]:/.test(key)).sort()).toEqual(['h:BR-gaya:female', 'w:BR-patna:female']);
  });

  it('a child of unknown sex carries the place keys of both sexes', () => {
    const keys = blockingKeys(prepareFound(child({ sex: 'unknown', name: null, statedHome: { district: 'Gaya' } })));
    expect(keys).toEqual(expect.arrayContaining(['h:BR-gaya:male', 'h:BR-gaya:female']));
  });
});

describe('admission', () => {
  it('a key admits while few records of the other side carry it', () => {
    expect(keysAdmit([keyLimit('n:x')], ['n:puj'])).toBe(true);
    expect(keysAdmit([keyLimit('n:x') + 1], ['n:puj'])).toBe(false);
    expect(keysAdmit([5000, 3], ['n:puj', 'nf:raju:puj'])).toBe(true);
  });

  it('the age window keeps out children years apart, and sex narrows nothing but place keys', () => {
    const nine = prepareMissing(report('A', { ageYears: 9 }));
    expect(ageWindowOverlaps(nine, prepareFound(child({ apparentAgeYears: 11 })))).toBe(true);
    expect(ageWindowOverlaps(nine, prepareFound(child({ apparentAgeYears: 25 })))).toBe(false);
    expect(ageWindowOverlaps(nine, prepareFound(child({ apparentAgeYears: null })))).toBe(true);
    expect(sexCompatible(nine, prepareFound(child({ sex: 'unknown' })))).toBe(true);
    expect(sexCompatible(nine, prepareFound(child({ sex: 'male' })))).toBe(false);
    expect(shared(report('A'), child({ sex: 'male' }))).toContain('n:puj');
  });

  it('counts a key\'s records within a child\'s age window exactly as the window says, whatever their ages', () => {
    // Birth dates, ages at missing, medical ranges and no age at all, against children of every kind of age.
    const reports = Array.from({ length: 300 }, (_, i) =>
      prepareMissing(report(`FIR-${i}`, i % 7 === 0 ? { ageYears: null } : i % 5 === 0 ? { birthDate: `20${String(5 + (i % 15)).padStart(2, '0')}-03-0${1 + (i % 9)}`, ageYears: null } : { ageYears: i % 18 })));
    const index = new CandidateIndex(reports, blockingKeys);
    const keyId = index.keyId('n:puj')!;
    for (const found of [child(), child({ apparentAgeYears: 2 }), child({ apparentAgeYears: 17 }), child({ apparentAgeYears: null }), child({ apparentAgeYears: null, ageRangeYears: [4, 9] }), child({ birthDate: '2012-06-30', apparentAgeYears: null })]) {
      const prepared = prepareFound(found);
      expect(index.sizeInWindow(keyId, prepared.birth)).toBe(reports.filter((r) => ageWindowOverlaps(r, prepared)).length);
    }
  });

  it('a common name alone admits no one, with the father it admits the one report', () => {
    const poojas = Array.from({ length: 400 }, (_, i) => prepareMissing(report(`FIR-${i}`, { fatherName: `Father${i}` })));
    const withRaju = prepareMissing(report('FIR-raju', { fatherName: 'Raju' }));
    const index = new CandidateIndex([...poojas, withRaju], blockingKeys);
    const reached = (f: FoundChild) => {
      const positions = new Set<number>();
      candidatesOf(index, prepareFound(f), (position) => positions.add(position));
      return positions;
    };
    expect(reached(child()).size).toBe(0);
    expect([...reached(child({ fatherName: 'Raju' }))]).toEqual([400]);
  });

  it('a key more than keyReach times over its limit admits no one, however few lie in the window', () => {
    // Teenage girls reported from Gaya, and one toddler: a toddler found who names Gaya has only the
    // toddler's report in her age window, on the district key and the state key alike.
    const teens = (n: number) => Array.from({ length: n }, (_, i) => prepareMissing(report(`FIR-${i}`, { name: `Zq${i}x`, ageYears: 16 })));
    const toddler = prepareMissing(report('FIR-small', { name: 'Zqsmall', ageYears: 2 }));
    const found = prepareFound(child({ name: null, apparentAgeYears: 2, statedHome: { district: 'Gaya', state: 'Bihar' } }));
    const reached = (reports: ReturnType<typeof prepareMissing>[]) => {
      const positions = new Set<number>();
      candidatesOf(new CandidateIndex(reports, blockingKeys), found, (position) => positions.add(reports[position]!.ref === 'FIR-small' ? 1 : 0));
      return positions.has(1);
    };
    const over = Math.max(keyLimit('h:x'), keyLimit('s:x')) * keyReach;
    expect(reached([...teens(over - 1), toddler])).toBe(true);
    expect(reached([...teens(over + 1), toddler])).toBe(false);
    expect(keyTooCommon('h:BR-gaya:female', keyLimit('h:x') * keyReach)).toBe(false);
    expect(keyTooCommon('h:BR-gaya:female', keyLimit('h:x') * keyReach + 1)).toBe(true);
  });

  it('a key over its limit ranks the reports it reaches in the window: all alike, none come in; the dates pick out her best', () => {
    // Girls last seen in Gaya (more than the limit of each place key she carries in a child's window:
    // w:, and h: and s:, as she names no home and is keyed as though at home there), and small ones that
    // the key carries too but whose ages keep them out of the window of a girl of about 11 found in 2024.
    const lostIn = (ref: string, ageYears: number, missingSince = '2019-06-01') =>
      prepareMissing(report(ref, { name: `Zq${ref}x`, ageYears, missingSince, home: null, lastSeen: { district: 'Gaya', state: 'Bihar' } }));
    const found = prepareFound(child({ name: null, foundAt: { district: 'Gaya', state: 'Bihar' } }));
    const reached = (reports: ReturnType<typeof prepareMissing>[]) => {
      const refs = new Set<string>();
      candidatesOf(new CandidateIndex(reports, blockingKeys), found, (position) => refs.add(reports[position]!.ref));
      return refs;
    };
    const small = Array.from({ length: 40 }, (_, i) => lostIn(`S${i}`, 2, '2023-12-20'));
    const alike = Array.from({ length: Math.max(keyLimit('w:x'), keyLimit('h:x'), keyLimit('s:x')) + 1 }, (_, i) => lostIn(`N${i}`, 6));
    expect(keyLimit('w:x')).toBeGreaterThan(rankedBest);
    expect(reached([...small, ...alike]).size).toBe(0);
    // Ten of them went missing weeks before she was found (2024-01-01) at about her age, ten more
    // that year: those ten, then those twenty, outrank the rest; never the small ones.
    const weeksBefore = Array.from({ length: 10 }, (_, i) => lostIn(`W${i}`, 11, '2023-12-10'));
    const thatYear = Array.from({ length: 10 }, (_, i) => lostIn(`Y${i}`, 10, '2023-05-01'));
    expect([...reached([...small, ...alike, ...weeksBefore])].sort()).toEqual(weeksBefore.map((r) => r.ref).sort());
    expect([...reached([...small, ...alike, ...weeksBefore, ...thatYear])].sort()).toEqual([...weeksBefore, ...thatYear].map((r) => r.ref).sort());
    expect(rankDateWeight(weeksBefore[0]!, found)).toBeGreaterThan(rankDateWeight(thatYear[0]!, found));
    expect(rankDateWeight(thatYear[0]!, found)).toBeGreaterThan(rankDateWeight(alike[0]!, found));
  });

  it('weighs the dates on whole days exactly as the age and time levels say', () => {
    let state = 5;
    const next = (n: number) => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state % n;
    };
    const edges = [0, middleBounds.close, middleBounds.near, middleBounds.overlap, 2600];
    for (let i = 0; i < 5000; i++) {
      const from = 14_000 + next(3000);
      const to = from + 100 + next(2500);
      const child = { birth: i % 11 ? { from, to } : null, eventDay: 19_000 + next(400) } as unknown as PreparedRecord;
      // The report's summed ends this far from the child's: on each level's bound, a day either side, or anywhere.
      const sum = from + to + (next(2) ? 1 : -1) * (edges[next(edges.length)]! + next(3) - 1 + (i % 4 ? 0 : next(2000)));
      const reportFrom = Math.floor((sum - next(900)) / 2);
      const days = [-31, -30, 31, 32, 366, 367][next(6)]! + (i % 3 ? 0 : next(900) - 450);
      const report = { birth: i % 7 ? { from: reportFrom, to: sum - reportFrom } : null, eventDay: child.eventDay - days } as unknown as PreparedRecord;
      const byLevels = rankTimeWeights[timeLevel(report.eventDay, child.eventDay)] + rankAgeWeights[report.birth && child.birth ? ageLevel(report.birth, child.birth) : 'unknown'];
      expect(rankDateWeight(report, child)).toBe(byLevels);
      // The bound a child's search leaves reports out by (live-index.ts, partnersOfChild): no date weighs less than nothing, nor more than it.
      expect(byLevels).toBeGreaterThanOrEqual(0);
      expect(byLevels).toBeLessThanOrEqual(rankDateWeightMost);
    }
  });

  it('finds the score at any rank as a sort would, with ties and without', () => {
    let state = 7;
    const next = (n: number) => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state % n;
    };
    for (let trial = 0; trial < 300; trial++) {
      const length = 1 + next(400);
      const values = Int32Array.from({ length }, () => next(trial % 2 ? 5 : 100_000));
      const sorted = [...values].sort((a, b) => b - a);
      const k = next(length);
      expect(selectDescending(values.slice(), k)).toBe(sorted[k]);
      // Among the first `length` of a longer array (a scratch array kept from search to search): what lies past them, here higher than any, is not ranked.
      expect(selectDescending(Int32Array.from([...values, 1_000_000, 1_000_001]), k, length)).toBe(sorted[k]);
    }
  });

  it('ranks a report sharing two over-limit keys above one sharing any single key', () => {
    const fewest = Math.min(...Object.values(keyLimits)) + 1;
    expect(2 * rankWeights[rankCarriersMax]!).toBeGreaterThan(rankWeights[fewest]!);
    expect(rankWeights[fewest]!).toBeGreaterThan(rankWeights[fewest + 1]!);
  });
});
