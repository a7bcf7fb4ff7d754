// Blocking: the keys a record is indexed under and looked up by, used unchanged by `milap link`
// and by the service's match job. A pair is scored when it shares a key that few records of the
// other side carry (each family of keys has its limit) and falls within the age window:
//   n:<key>        a phonetic key of the child's name (aliases included), and of two neighbouring
//                  parts of it joined (a name written as one word or two)
//   d:<key>        that key or a written name part with one letter dropped: a typo apart
//   f:<key>, fd:<key>, m:<key>   the father's name (and one letter dropped), the mother's name
//   c:<consonants>, cf:<consonants>   the consonants of the child's and the father's name: how a
//                        name written in Urdu, without its short vowels, meets its Latin spelling
//   sn:<key>       a family name, of the child's name or her father's: a report's "Samatha Sastry"
//                  meets a shelter's child whose father is "Venkatesh Sastry"
//   h:<district>:<sex>   the home district (the report's, or the one the child names, or where she
//                        was found when she names none: presumedHome), with sex
//   s:<state>:<sex>      the home state, for children who name only a state
//   w:<district>:<sex>   where the child was last seen, or found: a child who can say nothing is
//                        often found where she was lost
//   l:<language>:<sex>   a language that says where the child is from (telltaleLanguages): the
//                        report's home state's, and a found child's that is not spoken where she was found
// A common name ("Pooja", "Rahul") is too common to admit alone, so it also comes compounded with
// a second piece of evidence, each compound a key of its own:
//   nf:<name>:<father>, ns:<name>:<state>, nw:<name>:<district last seen / found>,
//   fs:<father>:<state>, fw:<father>:<district last seen / found>, ds:<name, a letter dropped>:<state>
// (fw finds the child who gives no name but her father's, found where she was lost.) Pet names that
// could be anyone's ("Munna", "Guddi") come only so compounded:
//   ps:<pet name>:<state>, pw:<pet name>:<district last seen / found>
import { closeYears, gapYears, nearYears, overlapYears, timeLevel, type AgeLevel, type TimeLevel } from './age.ts';
import { nameBlockingKeys, nameJoinedKeys, nameSkeletonKeys } from './names/compare.ts';
import type { PreparedRecord } from './prepare.ts';
import { regionalLanguages, spokenInState } from './languages.ts';

/** How many records of the other side a key may carry and still admit a pair, by the key's prefix. */
export const keyLimits: Readonly<Record<string, number>> = { n: 120, d: 40, f: 120, fd: 40, m: 120, h: 80, s: 100, w: 80, nf: 150, ns: 60, nw: 60, fs: 60, fw: 60, ds: 25, sn: 40, l: 60, c: 60, cf: 60, ps: 60, pw: 60 };

/**
 * A key that more than this many times its limit of reports carry at all admits no pair, whatever
 * the age window says: a child's window holds a third or more of a key's reports, so such a key is
 * never within its limit there, and counting it pair by pair cost a report's match job 0.4 s at
 * 100,000 reports. Counted over every report filed (the service counts those no longer looking too).
 */
export const keyReach = 10;

export const keyTooCommon = (key: string, carriers: number): boolean => carriers > keyReach * keyLimit(key);

/** A phonetic key of the child's, father's or mother's name (n:, f:, m:), whose counts give term frequencies. */
export const isNameKey = (key: string): boolean => key.startsWith('n:') || key.startsWith('f:') || key.startsWith('m:');

/** The phonetic names these keys carry (isNameKey, its family taken off), each once. */
export const phoneticNamesOf = (keys: readonly string[]): string[] => [...new Set(keys.filter(isNameKey).map((key) => key.slice(2)))];

/**
 * The service closes a key for good once it is too common (src/matching/store.ts, warmTooCommonKeys):
 * it admits nothing from then on, and records' rows for it are no longer stored, but for the phonetic
 * name keys (isNameKey), whose counts give term frequencies.
 */
export const storedWhenClosed = isNameKey;

/**
 * Ranked admission. A key over its limit within a child's age window (and not too common) admits no
 * pair alone; as the reports grow, more and more keys are over their limit there (at 100,000 reports
 * blocking recall was 0.895 without this, against 0.988 at 10,000). Yet among the reports such keys
 * reach, those that carry several of them, or the rarer ones, are the child's likeliest. So each
 * report the child's over-limit keys reach within her window is ranked by the sum of those keys'
 * rank weights and what the dates say (rankDateWeight), and her best `rankedBest` are admitted:
 * exactly those ranked above the next one. Reports tied at the boundary are all left out, so the
 * rule needs no order among equals, and the service's SQL gives the same set (src/matching/store.ts).
 * bench/quality.ts, seed 1: blocking recall 0.988 -> 0.993 at 10,000 x 4,000 (108 -> 118 candidates
 * a child), 0.895 -> 0.933 at 100,000 x 40,000 (105 -> 119), by keys alone and the best 100; by keys
 * and dates, the best 50 keep about as many candidates and more true pairs (rankDateWeight).
 */
export const rankedBest = 50;

/**
 * How many of a found child's ranked reports are admitted: rankedBest, and twice as many for a child
 * with no name but a pet name or none. Her keys are then of place, father and language only, so the
 * ranking alone decides her candidates, and it is weakest for her: of the true pairs that seeds 1-5
 * of bench/quality.ts lost, ten were such a child's report ranked 51st to 89th among hers. Such
 * children are a tenth of the found (365 of 4,000 at seed 1), and a pair without names is the
 * cheapest to weigh. Seeds 1-5: true pairs never scored 11, 14, 11, 12, 10 -> 9, 12, 8, 10, 9
 * (blocking recall 0.9950 or more on each).
 */
export const rankedBestOf = (child: Pick<PreparedRecord, 'name'>): number => (child.name ? rankedBest : 2 * rankedBest);

/**
 * A key carried by `carriers` reports in the child's window weighs log2(rankBase / carriers) bits:
 * rarer keys weigh more. The base is large enough that two keys that are not too common (at most
 * rankCarriersMax reports each) outrank any one key (more than the lowest limit carry it) when the
 * dates say as much for both reports.
 */
const rankBase = 2 ** 17;

/** The most reports a key that is not too common can have: the highest family limit times keyReach. */
export const rankCarriersMax = keyReach * Math.max(...Object.values(keyLimits));

/**
 * The rank weight of a key carried by `carriers` reports in the child's window, in thousandths of a
 * bit, as a table indexed by carriers (1 .. rankCarriersMax): integers, so that a sum is the same in
 * JavaScript and in SQL, and ties are ties.
 */
export const rankWeights: Int32Array = Int32Array.from({ length: rankCarriersMax + 1 }, (_, carriers) => (carriers ? Math.round(1000 * Math.log2(rankBase / carriers)) : 0));

/**
 * Ranked admission also weighs what the dates say, since keys alone tie on hundreds of reports of one
 * common name: how long after going missing the child was found, and how close the two ages are, in
 * thousandths of a bit, about the model's weights for those levels (fixtures/model) shifted so that
 * none is negative. The keys' rarity and the dates then rank a child's reports as the model would
 * begin to: among reports of one name in one state, those missing weeks before she was found, at her
 * age, come first. bench/quality.ts seed 1 at 40,000 x 16,000, about as many candidates a child
 * (her best 50 by keys and dates against her best 100 by keys alone): blocking recall 0.962 -> 0.981.
 */
export const rankTimeWeights: Readonly<Record<TimeLevel, number>> = { within_month: 4900, within_year: 2400, later: 0, before: 0 };
export const rankAgeWeights: Readonly<Record<AgeLevel | 'unknown', number>> = { close: 6100, near: 4900, overlap: 4000, far_overlap: 2800, within_2y: 0, within_4y: 0, apart: 0, unknown: 3600 };

/** The most the dates can add to a report's rank score (rankDateWeightOfDays), as none of their weights is negative. */
export const rankDateWeightMost = Math.max(...Object.values(rankTimeWeights)) + Math.max(...Object.values(rankAgeWeights));

/** The dates' part of a report's rank score for a child (rankTimeWeights, rankAgeWeights). */
export function rankDateWeight(report: PreparedRecord, child: PreparedRecord): number {
  return rankDateWeightOfDays(report.birth?.from ?? NaN, report.birth?.to ?? NaN, report.eventDay, child.birth?.from ?? NaN, child.birth?.to ?? NaN, child.eventDay);
}

/**
 * The bounds of the age levels of two overlapping birth intervals in whole days, on the difference
 * of their summed ends: their middles lie within `years` (matchers/age.ts, ageLevel) exactly when
 * |(from + to) - (from' + to')| <= 2 · years · 365.25, days being whole.
 */
export const middleBounds = { close: Math.floor(2 * closeYears * 365.25), near: Math.floor(2 * nearYears * 365.25), overlap: Math.floor(2 * overlapYears * 365.25) };

/**
 * rankDateWeight on whole days (NaN: no birth interval), as the candidate index reads them from its
 * typed arrays for every report a child's keys reach (millions in a link), and as the service's SQL
 * computes it (src/matching/store.ts, rankDateSql). The levels are those of timeLevel and ageLevel;
 * a test holds the three to each other.
 */
export function rankDateWeightOfDays(reportFrom: number, reportTo: number, reportDay: number, childFrom: number, childTo: number, childDay: number): number {
  const time = rankTimeWeights[timeLevel(reportDay, childDay)];
  if (Number.isNaN(reportFrom) || Number.isNaN(childFrom)) return time + rankAgeWeights.unknown;
  // Apart (within 2 or 4 years, or more) all weigh the same.
  if (Math.max(reportFrom, childFrom) > Math.min(reportTo, childTo)) return time + rankAgeWeights.within_2y;
  const apart = Math.abs(reportFrom + reportTo - childFrom - childTo);
  const age = apart <= middleBounds.close ? rankAgeWeights.close : apart <= middleBounds.near ? rankAgeWeights.near : apart <= middleBounds.overlap ? rankAgeWeights.overlap : rankAgeWeights.far_overlap;
  return time + age;
}

/** Birth intervals further apart than this are not compared at all. */
export const ageWindowYears = 4;

export const keyLimit = (key: string): number => keyLimits[key.slice(0, key.indexOf(':'))] ?? 0;

/** A key and every form of it with one letter dropped (when 2 letters or more remain). */
export function oneLetterDropped(key: string): string[] {
  if (key.length < 3) return [key];
  const forms = new Set([key]);
  for (let at = 0; at < key.length; at++) forms.add(key.slice(0, at) + key.slice(at + 1));
  return [...forms];
}

const sexesOf = (record: PreparedRecord) => (record.sex === 'male' || record.sex === 'female' ? [record.sex] : ['male', 'female']);

function nameKeysOf(record: PreparedRecord) {
  const name = record.name ? nameBlockingKeys(record.name) : [];
  // Typos defeat phonetic keys ("Sakhsi", "Kaal"): the written letters, one dropped, meet too.
  const written = record.name ? [record.name, ...record.name.alternatives].flatMap((n) => n.tokens) : [];
  const father = record.father ? nameBlockingKeys(record.father) : [];
  return { name, typo: [...new Set([...name, ...written].flatMap(oneLetterDropped))], father, fatherTypo: [...new Set(father.flatMap(oneLetterDropped))] };
}

/**
 * The home a record is keyed under: the report's (or where the child was last seen, prepare.ts), the
 * one the child names, or, when she names none, where she was found: most children are found in their
 * own state, many in their own district, and one who can say nothing of home is keyed as though
 * found there (bench/quality.ts, seeds 1-4: 62 true pairs of 9,600 never scored -> 54).
 */
function presumedHome(record: PreparedRecord) {
  return record.side === 'found' && !record.home ? record.seen : record.home;
}

/**
 * The languages that say where a record's child is from. A report's: those it gives, else its home
 * state's (state-languages.json), Hindi left out (children everywhere speak it). A found child's: those
 * she speaks that are not spoken where she was found, a Gujarati-speaking girl in Kolkata; a language
 * of the state she is in says nothing of where she came from, and would reach its every report.
 */
function telltaleLanguages(record: PreparedRecord): string[] {
  if (record.side === 'missing') {
    const own = record.languages.filter((language) => language !== 'hi');
    return own.length ? own : record.home?.stateCode ? regionalLanguages(record.home.stateCode) : [];
  }
  const state = record.seen?.stateCode;
  return record.languages.filter((language) => language !== 'hi' && (!state || spokenInState([language], state) === 'none'));
}

export function blockingKeys(record: PreparedRecord): string[] {
  const keys = new Set<string>();
  const add = (prefix: string, values: Iterable<string>, suffix = '') => {
    for (const value of values) keys.add(`${prefix}:${value}${suffix}`);
  };
  const { name, typo, father, fatherTypo } = nameKeysOf(record);
  add('n', name);
  // A name written as two words meets its one-word spelling ("Jai Prakash", "Jaiprakash").
  if (record.name) add('n', nameJoinedKeys(record.name));
  add('d', typo);
  add('f', father);
  if (record.father) add('f', nameJoinedKeys(record.father));
  add('fd', fatherTypo);
  if (record.name) add('c', nameSkeletonKeys(record.name));
  if (record.father) add('cf', nameSkeletonKeys(record.father));
  if (record.mother) add('m', nameBlockingKeys(record.mother));
  add('sn', record.family);
  for (const key of name) add('nf', father, `:${key}`);
  const home = presumedHome(record);
  const state = home?.stateCode;
  if (state) {
    add('ns', name, `:${state}`);
    add('fs', father, `:${state}`);
    add('ds', typo, `:${state}`);
  }
  if (record.seen?.districtId) {
    add('nw', name, `:${record.seen.districtId}`);
    add('fw', father, `:${record.seen.districtId}`);
  }
  // Pet names that could be anyone's, only with a place: "Pappu" alone is half the country's boys.
  if (state) add('ps', record.petNames, `:${state}`);
  if (record.seen?.districtId) add('pw', record.petNames, `:${record.seen.districtId}`);
  const languages = telltaleLanguages(record);
  for (const sex of sexesOf(record)) {
    if (home?.districtId) keys.add(`h:${home.districtId}:${sex}`);
    for (const language of languages) keys.add(`l:${language}:${sex}`);
    if (state) keys.add(`s:${state}:${sex}`);
    if (record.seen?.districtId) keys.add(`w:${record.seen.districtId}:${sex}`);
  }
  return [...keys];
}

/** The age window: both birth intervals known and further apart than the window keeps a pair out. */
export function ageWindowOverlaps(a: PreparedRecord, b: PreparedRecord): boolean {
  return !a.birth || !b.birth || gapYears(a.birth, b.birth) <= ageWindowYears;
}

/** Sex narrows the place keys only (it is written into them); a sex slip still meets on names. */
export function sexCompatible(a: PreparedRecord, b: PreparedRecord): boolean {
  return a.sex === 'unknown' || b.sex === 'unknown' || a.sex === 'other' || b.sex === 'other' || a.sex === b.sex;
}

/** Whether a key admits a pair: few enough records of the other side carry it. */
export const keyAdmits = (key: string, size: number): boolean => size <= keyLimit(key);

/**
 * Whether the keys two records share admit the pair, given how many records of the other side
 * carry each shared key (`sizes[i]` for `keys[i]`).
 */
export function keysAdmit(sizes: readonly number[], keys: readonly string[]): boolean {
  return keys.some((key, i) => keyAdmits(key, sizes[i] ?? Infinity));
}
