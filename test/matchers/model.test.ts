// Ages as birth intervals, the model's arithmetic, EM, blocking, and the pair DESIGN.md opens with.
import { describe, expect, it } from 'vitest';
import { ageLevel, dayOf, fromAgeAt, fromBirthDate, fromEstimate, fromRange, gapYears, isoOfDay, timeLevel } from '../../matchers/age.ts';
import { blockingKeys } from '../../matchers/blocking.ts';
import { comparisons } from '../../matchers/comparisons.ts';
import { estimateNamed, estimateU, expectationMaximisation, keepLevelOrder, neutraliseUnseen, type Vector } from '../../matchers/em.ts';
import { linkRecords, nameKeyFrequencies } from '../../matchers/link.ts';
import { spokenInState } from '../../matchers/languages.ts';
import { parseMarks } from '../../matchers/marks.ts';
import { competingProbability, defaultModel, levelWeight, priorWeight, scorePrepared, weighPrepared } from '../../matchers/model.ts';
import { familyNameKeys, petNameKeys, prepareName } from '../../matchers/names/compare.ts';
import { phoneticKey } from '../../matchers/names/phonetic.ts';
import { prepareFound, prepareMissing } from '../../matchers/prepare.ts';
import type { FoundChild, MissingReport } from '../../matchers/record.ts';
import { generateWorld } from '../../fixtures/synth/world.ts';

const lakshmi: MissingReport = {
  ref: 'FIR-123/2023', name: 'Lakshmi Kumari d/o Ramesh Mahto', sex: 'female', ageYears: 9, missingSince: '2023-03-10',
  lastSeen: { district: 'Dhanbad', state: 'Jharkhand' }, home: { district: 'Dhanbad', state: 'Jharkhand' },
};
const foundInDelhi: FoundChild = {
  ref: 'CCI-DL-88', name: 'लछमी', sex: 'female', apparentAgeYears: 11, foundOn: '2025-01-20',
  foundAt: { place: 'New Delhi railway station', district: 'New Delhi', state: 'Delhi' }, statedHome: { district: 'Dhanbad' }, fatherName: 'रमेश',
};

describe('birth intervals', () => {
  it('turns each kind of age into an interval', () => {
    expect(isoOfDay(fromBirthDate('2014-02-11').from)).toBe('2014-02-08');
    const reported = fromAgeAt(9, '2023-03-10');
    expect([isoOfDay(reported.from).slice(0, 4), isoOfDay(reported.to).slice(0, 4)]).toEqual(['2012', '2014']);
    const estimated = fromEstimate(11, '2025-01-20');
    expect(gapYears(estimated, estimated)).toBe(0);
    expect((estimated.to - estimated.from) / 365.25).toBeGreaterThan(5);
    const medical = fromRange([10, 12], '2025-01-20');
    expect(isoOfDay(medical.from).slice(0, 4)).toBe('2012');
  });

  it('a child missing for six years is six years older when found', () => {
    expect(ageLevel(fromAgeAt(6, '2018-01-01'), fromEstimate(12, '2024-01-01'))).toBe('close');
    expect(ageLevel(fromAgeAt(6, '2018-01-01'), fromEstimate(14, '2024-01-01'))).toBe('overlap');
    expect(ageLevel(fromAgeAt(6, '2018-01-01'), fromEstimate(6, '2024-01-01'))).toBe('within_4y');
    expect(ageLevel(fromBirthDate('2010-01-01'), fromBirthDate('2018-01-01'))).toBe('apart');
  });

  it('an estimate near the family\'s age is close; one that only overlaps is weaker evidence', () => {
    // "She was 9" in March 2023; found in January 2025 "about 11", or "about 13".
    const family = fromAgeAt(9, '2023-03-10');
    expect(ageLevel(family, fromEstimate(11, '2025-01-20'))).toBe('close');
    expect(ageLevel(family, fromEstimate(12, '2025-01-20'))).toBe('near');
    expect(ageLevel(family, fromEstimate(13, '2025-01-20'))).toBe('overlap');
    expect(ageLevel(family, fromEstimate(14, '2025-01-20'))).toBe('far_overlap'); // "about 14" still overlaps "9 in 2023"
    const weights = ['close', 'near', 'overlap', 'far_overlap', 'within_2y'].map((level) => levelWeight(defaultModel, 'age', level));
    expect(weights).toEqual([...weights].sort((a, b) => b - a));
    expect(weights[3]).toBeLessThan(0); // wide estimates that barely overlap are evidence against
    expect(weights[0]).toBeGreaterThan(weights[3]! + 2);
  });

  it('time: found within a month is stronger than within a year, later weaker, before near-impossible', () => {
    const missing = dayOf('2023-03-10');
    expect(['2023-03-09', '2023-04-05', '2023-12-01', '2025-01-20', '2023-01-01'].map((day) => timeLevel(missing, dayOf(day))))
      .toEqual(['within_month', 'within_month', 'within_year', 'later', 'before']);
    const weights = ['within_month', 'within_year', 'later', 'before'].map((level) => levelWeight(defaultModel, 'time', level));
    expect(weights).toEqual([...weights].sort((a, b) => b - a));
  });
});

describe('marks', () => {
  it('reads (body part, mark) pairs in English and Hindi', () => {
    expect(parseMarks('mole on left cheek; burn scar right hand')).toEqual(['cheek:mole', 'hand:burn']);
    expect(parseMarks('गाल पर तिल')).toEqual(['cheek:mole']);
    expect(parseMarks(null)).toEqual([]);
  });

  it('reads the spots, white patches and stitch marks that registers write', () => {
    expect(parseMarks('black spot on neck; white patch on left hand; stitch mark above right eye')).toEqual(['eye:scar', 'hand:patch', 'neck:spot']);
    expect(parseMarks('गर्दन पर काला धब्बा')).toEqual(['neck:spot']);
    expect(parseMarks('हाथ पर सफेद दाग')).toEqual(['hand:patch']);
    expect(parseMarks('माथे पर टांके का निशान')).toEqual(['forehead:scar']);
  });
});

describe('languages', () => {
  // A child who cannot name her home: where she is from, her language may tell.
  const spoken = (report: Partial<MissingReport>, languages: string[] | null, statedHome: FoundChild['statedHome'] = null) => {
    const score = scorePrepared(prepareMissing({ ...lakshmi, ...report }), prepareFound({ ...foundInDelhi, statedHome, languages }));
    return score.explanation.find((e) => e.comparison === 'language')!;
  };
  const jharkhand = { home: { district: 'Dhanbad', state: 'Jharkhand' } };

  it('says which of a child\'s languages a state\'s people speak, Hindi alone apart', () => {
    expect(spokenInState(['sat'], 'JH')).toBe('regional');
    expect(spokenInState(['bn', 'hi'], 'WB')).toBe('regional');
    expect(spokenInState(['bn', 'hi'], 'UP')).toBe('hindi');
    expect(spokenInState(['ta'], 'BR')).toBe('none');
    expect(spokenInState(['ta'], 'XX')).toBeNull();
  });

  it('compares the languages both records give, and else the child\'s with the report\'s home state', () => {
    expect(spoken({ languages: ['Hindi'] }, ['hindi'])).toMatchObject({ level: 'shared' });
    expect(spoken({ languages: ['Santali'] }, ['Tamil'])).toMatchObject({ level: 'different' });
    expect(spoken(jharkhand, ['Santali'])).toMatchObject({ level: 'home_state_language' });
    expect(spoken(jharkhand, ['Hindi'])).toMatchObject({ level: 'home_state_hindi' });
    expect(spoken(jharkhand, ['Tamil'])).toMatchObject({ level: 'not_home_state_language' });
    expect(spoken({ home: null, lastSeen: { district: 'Dhanbad', state: 'Jharkhand' } }, ['Santali'])).toMatchObject({ level: 'home_state_language' });
    expect(spoken(jharkhand, null)).toEqual({ comparison: 'language', level: 'unknown', weight: 0 });
  });

  it('a child speaking her home state\'s language is evidence for its report; a language from elsewhere, against', () => {
    const regional = spoken(jharkhand, ['Santali']).weight;
    const hindi = spoken(jharkhand, ['Hindi']).weight;
    const elsewhere = spoken(jharkhand, ['Tamil']).weight;
    expect(regional).toBeGreaterThan(1);
    expect(hindi).toBeLessThan(regional);
    expect(elsewhere).toBeLessThan(-2);
  });

  it('says nothing when the child names the report\'s home state: her language would say it twice', () => {
    for (const statedHome of [{ district: 'Dhanbad' }, { state: 'Jharkhand' }, { district: 'Ranchi', state: 'Jharkhand' }]) {
      expect(spoken(jharkhand, ['Santali'], statedHome)).toEqual({ comparison: 'language', level: 'unknown', weight: 0 });
      expect(spoken({ ...jharkhand, languages: ['Santali'] }, ['Santali'], statedHome)).toMatchObject({ level: 'unknown' });
    }
    // Another state named: the language still counts, for or against.
    expect(spoken(jharkhand, ['Santali'], { state: 'Bihar' })).toMatchObject({ level: 'home_state_language' });
    expect(spoken(jharkhand, ['Tamil'], { state: 'Tamil Nadu' })).toMatchObject({ level: 'not_home_state_language' });
  });
});

describe('places', () => {
  const home = (statedHome: FoundChild['statedHome']) =>
    scorePrepared(prepareMissing(lakshmi), prepareFound({ ...foundInDelhi, statedHome })).explanation.find((e) => e.comparison === 'home')!;

  it('tells a child who knows only her state from one who names another district of it', () => {
    expect(home({ district: 'Dhanbad', state: 'Jharkhand' })).toMatchObject({ level: 'same_district' });
    expect(home({ state: 'Jharkhand' })).toMatchObject({ level: 'same_state' });
    expect(home({ district: 'Bokaro', state: 'Jharkhand' })).toMatchObject({ level: 'nearby' }); // about 40 km
    expect(home({ district: 'Garhwa', state: 'Jharkhand' })).toMatchObject({ level: 'other_district' }); // about 300 km
    expect(home({ district: 'Patna', state: 'Bihar' })).toMatchObject({ level: 'different' });
    expect(home(undefined)).toMatchObject({ level: 'unknown', weight: 0 });
  });

  it('her state alone is evidence for the report; another district of it is not', () => {
    expect(home({ state: 'Jharkhand' }).weight).toBeGreaterThan(2);
    expect(home({ district: 'Garhwa', state: 'Jharkhand' }).weight).toBeLessThan(home({ state: 'Jharkhand' }).weight - 2);
    expect(home({ district: 'Garhwa', state: 'Jharkhand' }).weight).toBeGreaterThan(home({ district: 'Patna', state: 'Bihar' }).weight);
  });
});

describe('family names', () => {
  it('are the parts after the first, of every written form; particles, initials and "Mohd." are not', () => {
    const keys = (name: string) => familyNameKeys(prepareName(name));
    expect(keys('Nazia Shaikh')).toEqual(['sek']);
    expect(keys('नाज़िया शेख')).toEqual(['sek']);
    expect(keys('Kumari Shabnam Khatun Shaikh')).toEqual(['sek']);
    expect(keys('Md Aslam Ansari')).toEqual(['ansari']);
    expect(keys('Amit Kumar Yadav')).toEqual(['jadab']);
    expect(keys('रमेश महतो')).toEqual(expect.arrayContaining(['mahto']));
    for (const single of ['Mohd. Aslam', 'Pooja Kumari', 'Ramesh Singh', 'Gurpreet Kaur', 'Sunita Devi', 'S. Krishnaveni', 'Rahul @ Munna']) expect(keys(single), single).toEqual([]);
  });

  // A report gives the girl's name alone and her father's in full; the shelter wrote her family name.
  const nazia: MissingReport = { ref: 'FIR-5/2024', name: 'Nazia', sex: 'female', ageYears: 12, missingSince: '2024-06-02', home: { district: 'Howrah', state: 'West Bengal' }, fatherName: 'Aslam Shaikh' };
  const foundNazia: FoundChild = { ref: 'CCI-MH-31', name: 'Nazia Shaikh', sex: 'female', apparentAgeYears: 12, foundOn: '2024-06-20', foundAt: { district: 'Thane', state: 'Maharashtra' } };
  const family = (report: MissingReport, child: FoundChild) => scorePrepared(prepareMissing(report), prepareFound(child)).explanation.find((e) => e.comparison === 'family')!;

  it('is shared across fields and scripts: her name on one side, her father\'s on the other', () => {
    expect(family(nazia, foundNazia)).toMatchObject({ level: 'shared' });
    expect(family(nazia, { ...foundNazia, name: 'नाज़िया शेख' })).toMatchObject({ level: 'shared' });
    expect(family(nazia, foundNazia).weight).toBeGreaterThan(2);
    // Another family name, or none given on one side: weak evidence against, never a wall.
    for (const child of [{ ...foundNazia, name: 'Nazia Ansari' }, { ...foundNazia, name: 'Nazia' }]) {
      expect(family(nazia, child)).toMatchObject({ level: 'not_shared' });
      expect(family(nazia, child).weight).toBeLessThan(0);
      expect(family(nazia, child).weight).toBeGreaterThan(-1);
    }
  });

  it('a rare family name counts for more than a common one', () => {
    const weighed = (frequency: number) => scorePrepared(prepareMissing(nazia), prepareFound(foundNazia), defaultModel, (key) => (key === 'sek' ? frequency : undefined))
      .explanation.find((e) => e.comparison === 'family')!.weight;
    expect(weighed(0.0005)).toBeGreaterThan(weighed(0.05) + 3);
  });

  it('puts the report of her family first among girls of her name and age', () => {
    const others: MissingReport[] = [
      { ...nazia, ref: 'FIR-6/2024', fatherName: 'Aslam Ansari' },
      { ...nazia, ref: 'FIR-7/2024', fatherName: 'Imran Qureshi' },
      { ...nazia, ref: 'FIR-8/2024', fatherName: 'Aslam' },
    ];
    const pairs = [...linkRecords([...others, nazia], [foundNazia])];
    expect(pairs.map((pair) => pair.missingRef)[0]).toBe(nazia.ref);
    expect(pairs[0]!.probability).toBeGreaterThan(pairs[1]!.probability * 2);
  });
});

describe('pet names', () => {
  const [pappu, chhotu, munna] = ['pappu', 'chhotu', 'munna'].map(phoneticKey);

  it('are read from the name and its aliases in any script, and only the ones that could be anyone\'s', () => {
    expect(petNameKeys('Rahul Yadav urf Pappu')).toEqual([pappu]);
    expect(petNameKeys('Rahul Yadav', ['Pappu'])).toEqual([pappu]);
    expect(petNameKeys('मुन्ना')).toEqual([munna]);
    expect(petNameKeys('Munna @ Chhotu')).toEqual([chhotu, munna].sort());
    expect(petNameKeys('Rahul Yadav')).toEqual([]);
    expect(petNameKeys(null)).toEqual([]);
  });

  // A boy the shelter knows only as "Pappu", from Bihar; the police report names him in full, "urf Pappu".
  const rahul: MissingReport = { ref: 'FIR-41/2024', name: 'Rahul Yadav urf Pappu', sex: 'male', ageYears: 8, missingSince: '2024-03-02', home: { district: 'Gaya', state: 'Bihar' }, fatherName: 'Suresh Yadav' };
  const pappuFound: FoundChild = { ref: 'CCI-DL-12', name: 'Pappu', sex: 'male', apparentAgeYears: 8, foundOn: '2024-03-20', foundAt: { district: 'New Delhi', state: 'Delhi' }, statedHome: { state: 'Bihar' } };
  const petName = (child: FoundChild) => scorePrepared(prepareMissing(rahul), prepareFound(child)).explanation.find((e) => e.comparison === 'pet_name')!;

  it('shared is evidence for the pair; another pet name a little against; none given, nothing', () => {
    expect(petName(pappuFound)).toMatchObject({ level: 'shared', weight: expect.any(Number) });
    expect(petName(pappuFound).weight).toBeGreaterThan(2);
    expect(petName({ ...pappuFound, name: 'Chhotu' })).toMatchObject({ level: 'not_shared' });
    expect(petName({ ...pappuFound, name: 'Chhotu' }).weight).toBeLessThan(0);
    expect(petName({ ...pappuFound, name: 'Chhotu' }).weight).toBeGreaterThan(-4);
    expect(petName({ ...pappuFound, name: 'Rahul' })).toEqual({ comparison: 'pet_name', level: 'unknown', weight: 0 });
  });

  it('a child known only by a pet name reaches the report that gives it, with a place, and puts it first', () => {
    const keys = blockingKeys(prepareFound(pappuFound));
    expect(keys).toContain(`ps:${pappu}:BR`);
    expect(keys.filter((key) => key.startsWith('n:'))).toEqual([]);
    expect(blockingKeys(prepareMissing(rahul))).toContain(`ps:${pappu}:BR`);
    // Bihari boys of his age missing about then, none of them "Pappu": only his home state is shared.
    const others = Array.from({ length: 20 }, (_, i): MissingReport => ({ ...rahul, ref: `FIR-${100 + i}/2024`, name: ['Amit', 'Sonu', 'Vikash', 'Ravi'][i % 4]!, fatherName: null }));
    const pairs = [...linkRecords([...others, rahul], [pappuFound])];
    expect(pairs[0]).toMatchObject({ missingRef: rahul.ref });
  });
});

describe('the model', () => {
  it('weighs every pair of a small world, without explanations, to the same weight and probability as it scores them', () => {
    const world = generateWorld({ missing: 150, found: 60, seed: 3 });
    const reports = world.missing.map((report) => prepareMissing(report));
    const children = world.found.map((child) => prepareFound(child));
    const termFrequency = nameKeyFrequencies([...reports, ...children]);
    const differing: string[] = [];
    for (const child of children) {
      for (const report of reports) {
        const scored = scorePrepared(report, child, defaultModel, termFrequency, reports.length);
        const weighed = weighPrepared(report, child, defaultModel, termFrequency, reports.length);
        if (weighed.matchWeight !== scored.matchWeight || weighed.probability !== scored.probability) differing.push(`${report.ref} ${child.ref}`);
      }
    }
    expect(differing).toEqual([]);
  });

  it('adds the prior and every comparison\'s weight into the match weight, and explains each', () => {
    const score = scorePrepared(prepareMissing(lakshmi), prepareFound(foundInDelhi));
    const sum = score.explanation.reduce((total, entry) => total + entry.weight, 0);
    expect(sum).toBeCloseTo(score.matchWeight, 2);
    expect(score.explanation[0]).toMatchObject({ comparison: 'prior', weight: expect.closeTo(priorWeight(defaultModel), 2) });
    expect(score.explanation.map((e) => e.comparison)).toEqual(['prior', ...comparisons.map((c) => c.name)]);
    expect(score.probability).toBeCloseTo(2 ** score.matchWeight / (1 + 2 ** score.matchWeight), 6);
  });

  it('weighs the same evidence less among more reports: the prior divides by how many a child is matched among', () => {
    const share = defaultModel.foundWithReport!;
    const among = (reports: number) => scorePrepared(prepareMissing(lakshmi), prepareFound(foundInDelhi), defaultModel, undefined, reports);
    const [small, country] = [among(10_000), among(1_000_000)];
    // p / ((1 - p) · reports): a found child has a report with probability p, any one of them alike.
    expect(small.explanation[0]).toEqual({ comparison: 'prior', level: 'base rate', weight: expect.closeTo(Math.log2(share / ((1 - share) * 10_000)), 2) });
    // A hundred times the reports: the same comparisons, log2(100) bits less, a lower probability.
    expect(small.matchWeight - country.matchWeight).toBeCloseTo(Math.log2(100), 2);
    expect(country.explanation.slice(1)).toEqual(small.explanation.slice(1));
    expect(country.probability).toBeLessThan(small.probability);
    // Without the number of reports, the model's own prior, as before.
    expect(scorePrepared(prepareMissing(lakshmi), prepareFound(foundInDelhi)).explanation[0]!.weight).toBeCloseTo(priorWeight(defaultModel), 2);
    expect(priorWeight({ ...defaultModel, foundWithReport: undefined }, 10_000)).toBeCloseTo(priorWeight(defaultModel), 9);
  });

  it('unknown is its own level and weighs nothing', () => {
    const score = scorePrepared(prepareMissing({ ...lakshmi, identificationMarks: null }), prepareFound(foundInDelhi));
    expect(score.explanation.find((e) => e.comparison === 'marks')).toEqual({ comparison: 'marks', level: 'unknown', weight: 0 });
  });

  it('a sex mismatch is a strong penalty, not a wall', () => {
    const same = scorePrepared(prepareMissing(lakshmi), prepareFound(foundInDelhi));
    const slip = scorePrepared(prepareMissing(lakshmi), prepareFound({ ...foundInDelhi, sex: 'male' }));
    expect(slip.matchWeight).toBeLessThan(same.matchWeight - 4);
    expect(slip.probability).toBeGreaterThan(0);
  });

  it('beside agreeing names, one sex says less and two sexes cost less: names are sexed', () => {
    const sexWeight = (found: Partial<FoundChild>) => scorePrepared(prepareMissing(lakshmi), prepareFound({ ...foundInDelhi, ...found })).explanation.find((e) => e.comparison === 'sex')!;
    const named = sexWeight({});
    const unnamed = sexWeight({ name: 'Sunita' });
    expect(named.level).toBe('equal');
    expect(named.weight).toBeCloseTo(levelWeight(defaultModel, 'sex', 'equal', true), 2);
    expect(unnamed.weight).toBeCloseTo(levelWeight(defaultModel, 'sex', 'equal'), 2);
    expect(named.weight).toBeLessThan(unnamed.weight - 0.3);
    expect(sexWeight({ sex: 'male' }).weight).toBeGreaterThan(sexWeight({ name: 'Sunita', sex: 'male' }).weight + 0.5);
    expect(sexWeight({ sex: 'male' }).weight).toBeLessThan(-2);
  });

  it('puts Lakshmi first among look-alikes, as likely, and the look-alikes not', () => {
    const lookAlikes: MissingReport[] = [
      { ref: 'FIR-9/2022', name: 'Lakshmi', sex: 'female', ageYears: 10, missingSince: '2022-05-01', home: { district: 'Patna', state: 'Bihar' }, fatherName: 'Suresh Yadav' },
      { ref: 'FIR-10/2023', name: 'Laxmi Devi', sex: 'female', ageYears: 8, missingSince: '2023-01-10', home: { district: 'Gaya', state: 'Bihar' }, fatherName: 'Mohan Ram' },
      { ref: 'FIR-11/2021', name: 'Lachhmi', sex: 'female', ageYears: 12, missingSince: '2021-07-01', home: { district: 'Ranchi', state: 'Jharkhand' } },
      ...Array.from({ length: 30 }, (_, i): MissingReport => ({ ref: `FIR-X${i}`, name: `Pooja ${i}`, sex: 'female', ageYears: 9, missingSince: '2023-01-01', home: { district: 'Dhanbad', state: 'Jharkhand' } })),
    ];
    const pairs = [...linkRecords([...lookAlikes, lakshmi], [foundInDelhi])];
    expect(pairs[0]).toMatchObject({ missingRef: lakshmi.ref });
    expect(pairs[0]!.probability).toBeGreaterThanOrEqual(0.5);
    expect(pairs.slice(1).every((pair) => pair.probability < 0.5)).toBe(true);
  });

  it('a look-alike is far less likely beside the true report than alone: candidates of one child compete', () => {
    // Another Lakshmi from Dhanbad, whose report names no father.
    const lookAlike: MissingReport = { ...lakshmi, ref: 'FIR-77/2024', name: 'Lakshmi Devi', missingSince: '2024-01-01' };
    const others = Array.from({ length: 30 }, (_, i): MissingReport => ({ ref: `FIR-X${i}`, name: `Pooja ${i}`, sex: 'female', ageYears: 9, missingSince: '2023-01-01' }));
    // As many reports either way (the prior divides by their number), the true one or one more Pooja.
    const pooja: MissingReport = { ...others[0]!, ref: 'FIR-X30', name: 'Pooja 30' };
    const alone = [...linkRecords([...others, lookAlike, pooja], [foundInDelhi])].find((pair) => pair.missingRef === lookAlike.ref);
    const both = [...linkRecords([...others, lookAlike, lakshmi], [foundInDelhi])];
    expect(both[0]).toMatchObject({ missingRef: lakshmi.ref });
    const beside = both.find((pair) => pair.missingRef === lookAlike.ref)!;
    expect(beside.matchWeight).toBe(alone!.matchWeight);
    expect(beside.probability).toBeLessThan(alone!.probability / 5);
    expect(both[0]!.probability).toBeGreaterThanOrEqual(0.5);
    expect(beside.probability + both[0]!.probability).toBeLessThan(1);
    expect(competingProbability(alone!.matchWeight, 0, 0)).toBeCloseTo(alone!.probability, 12);
  });

  it('blocking keeps the pair: they share a name key and the stated home district', () => {
    const shared = blockingKeys(prepareMissing(lakshmi)).filter((key) => blockingKeys(prepareFound(foundInDelhi)).includes(key));
    expect(shared).toContain('n:lacmi');
    expect(shared).toContain('h:JH-dhanbad:female');
  });
});

describe('estimating the model', () => {
  it('ordered levels keep their order, and a level no sample shows weighs nothing', () => {
    const home = { same_district: { m: 0.75, u: 0.002 }, same_state: { m: 0.2, u: 0.012 }, nearby: { m: 0.0001, u: 0.01 }, other_district: { m: 0.03, u: 0.03 }, different: { m: 0.01, u: 0.95 } };
    const ordered = keepLevelOrder({ ...defaultModel, comparisons: { ...defaultModel.comparisons, home } });
    const weights = ['same_district', 'same_state', 'nearby', 'other_district', 'different'].map((level) => levelWeight(ordered, 'home', level));
    expect(weights).toEqual([...weights].sort((a, b) => b - a));
    expect(weights[2]).toBeCloseTo(weights[3]!, 9); // nearby pooled with other_district
    expect(weights[0]).toBeCloseTo(levelWeight({ ...defaultModel, comparisons: { ...defaultModel.comparisons, home } }, 'home', 'same_district'), 9);

    const names = comparisons.map((c) => c.name);
    const vector = (levels: Record<string, string>) => names.map((name) => levels[name] ?? 'unknown');
    const random = Array.from({ length: 1000 }, (_, i) => vector({ mother: i % 2 ? 'different' : 'exact' }));
    const truths = Array.from({ length: 100 }, () => vector({ mother: 'exact' }));
    // Smoothing alone: half a pair in each sample.
    const smoothed = { ...defaultModel, comparisons: { ...defaultModel.comparisons, mother: { ...defaultModel.comparisons.mother, initial_only: { m: 0.5 / 100, u: 0.5 / 1000 } } } };
    expect(levelWeight(smoothed, 'mother', 'initial_only')).toBeGreaterThan(3);
    const neutral = neutraliseUnseen(smoothed, random, truths);
    expect(levelWeight(neutral, 'mother', 'initial_only')).toBe(0);
    expect(levelWeight(neutral, 'mother', 'exact')).toBe(levelWeight(defaultModel, 'mother', 'exact'));
    expect(neutral.comparisons.photo).toEqual(defaultModel.comparisons.photo); // never observed: kept as set
  });

  it('weighs a comparison that depends on the names apart beside agreeing names, and only such a comparison', () => {
    const names = comparisons.map((c) => c.name);
    const vector = (levels: Record<string, string>) => names.map((name) => levels[name] ?? 'unknown');
    // Unrelated children whose names agree are mostly of one sex, and no likelier to share a home.
    const randomNamed = Array.from({ length: 1000 }, (_, i) => vector({ name: 'exact', sex: i % 10 ? 'equal' : 'different', home: i % 50 ? 'different' : 'same_district' }));
    const trueNamed = Array.from({ length: 100 }, (_, i) => vector({ name: 'exact', sex: i % 50 ? 'equal' : 'different', home: 'same_district' }));
    const model = estimateNamed(defaultModel, randomNamed, trueNamed);
    expect(model.comparisons.sex!.equal!.named!.u).toBeCloseTo(0.9, 2);
    expect(model.comparisons.sex!.equal!.named!.m).toBeCloseTo(0.98, 2);
    expect(levelWeight(model, 'sex', 'equal', true)).toBeCloseTo(Math.log2(0.98 / 0.9), 1);
    expect(levelWeight(model, 'sex', 'equal', false)).toBe(levelWeight(defaultModel, 'sex', 'equal'));
    expect(model.comparisons.home!.same_district!.named).toBeUndefined();
    expect(model.comparisons.name!.exact!.named).toBeUndefined();
    // Without labels, m beside agreeing names is the m a session blocked on names learnt.
    expect(estimateNamed(defaultModel, randomNamed, null, defaultModel).comparisons.sex!.equal!.named!.m).toBe(defaultModel.comparisons.sex!.equal!.m);
  });

  it('the weights beside agreeing names keep their order too', () => {
    const home = {
      same_district: { m: 0.75, u: 0.002, named: { m: 0.75, u: 0.01 } },
      same_state: { m: 0.2, u: 0.012, named: { m: 0.2, u: 0.002 } },
      different: { m: 0.05, u: 0.986, named: { m: 0.05, u: 0.988 } },
    };
    const ordered = keepLevelOrder({ ...defaultModel, comparisons: { ...defaultModel.comparisons, home } });
    const named = ['same_district', 'same_state', 'different'].map((level) => levelWeight(ordered, 'home', level, true));
    expect(named).toEqual([...named].sort((a, b) => b - a));
    expect(named[0]).toBeCloseTo(named[1]!, 9);
    expect(levelWeight(ordered, 'home', 'same_district')).toBeCloseTo(Math.log2(0.75 / 0.002), 9);
  });

  it('u comes from random pairs, and EM recovers m from a mixture of true and random pairs', () => {
    let seed = 7;
    const next = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const names = comparisons.map((c) => c.name);
    const draw = (shares: Record<string, number>) => {
      let r = next();
      for (const [level, share] of Object.entries(shares)) if ((r -= share) <= 0) return level;
      return Object.keys(shares).at(-1)!;
    };
    const trueM = { equal: 0.97, different: 0.03 };
    const vector = (match: boolean): Vector => names.map((name) => {
      if (name === 'sex') return draw(match ? trueM : { equal: 0.5, different: 0.5 });
      if (name === 'name') return draw(match ? { exact: 0.7, different: 0.3 } : { exact: 0.01, different: 0.99 });
      if (name === 'home') return draw(match ? { same_district: 0.8, different: 0.2 } : { same_district: 0.02, different: 0.98 });
      return 'unknown';
    });
    const random = Array.from({ length: 20_000 }, () => vector(false));
    const model = estimateU(defaultModel, random);
    expect(model.comparisons.name!.exact!.u).toBeCloseTo(0.01, 2);
    const mixture = [...Array.from({ length: 3000 }, () => vector(true)), ...Array.from({ length: 7000 }, () => vector(false))];
    const { model: learnt, matchShare } = expectationMaximisation(model, mixture, []);
    expect(matchShare).toBeCloseTo(0.3, 1);
    expect(learnt.comparisons.sex!.equal!.m).toBeCloseTo(0.97, 1);
    expect(learnt.comparisons.name!.exact!.m).toBeCloseTo(0.7, 1);
  });
});
