// Each comparison of a (missing report, found child) pair: a name and a function giving its level.
// 'unknown' (either side has nothing to compare) weighs nothing, for or against.
import { ageLevel, timeLevel } from './age.ts';
import { spokenInState } from './languages.ts';
import { compareNames, nameLevels, type PreparedName } from './names/compare.ts';
import { closestPhotoDistance } from './photos/evidence.ts';
import { PDQ_MATCH_DISTANCE } from './photos/pdq.ts';
import { distanceKm, type ResolvedPlace } from './places.ts';
import type { PreparedRecord } from './prepare.ts';

export interface ComparisonResult {
  level: string;
  /** For term-frequency adjustment: the phonetic keys of the name parts that matched. */
  keys?: string[];
}

export interface Comparison {
  name: string;
  levels: string[];
  compare(missing: PreparedRecord, found: PreparedRecord): ComparisonResult;
  /** Levels whose weight is adjusted by how common the matched name is. */
  termFrequencyLevels?: string[];
  /** The levels run from the strongest agreement to the weakest: training keeps their weights in that order. */
  ordered?: boolean;
  /**
   * The levels depend on whether the children's names agree, so the model weighs them apart then
   * (model.ts, LevelParameters.named).
   */
  givenName?: boolean;
  /**
   * Whether both records give what it compares (else its level is 'unknown'), answered without
   * comparing. A comparison that costs (the names) says it, so a pair can be weighed without it first.
   */
  given?(missing: PreparedRecord, found: PreparedRecord): boolean;
}

/**
 * A comparison as every comparison of the list is held: its fields all present, in one order. A pair
 * is weighed through each comparison of the list in turn (model.ts, compareWhileReachable), and
 * objects of a dozen shapes made each look at a field there a search of V8's cache of shapes.
 */
const comparison = (made: Comparison): Comparison => ({
  name: made.name,
  levels: made.levels,
  compare: made.compare,
  termFrequencyLevels: made.termFrequencyLevels,
  ordered: made.ordered ?? false,
  givenName: made.givenName ?? false,
  given: made.given,
});

const unknown: ComparisonResult = { level: 'unknown' };
const notShared: ComparisonResult = { level: 'not_shared' };

const nameComparison = (name: string, pick: (r: PreparedRecord) => PreparedName | null, tf: boolean): Comparison => ({
  name,
  levels: nameLevels,
  termFrequencyLevels: tf ? ['exact', 'phonetic'] : undefined,
  given: (missing, found) => pick(missing) !== null && pick(found) !== null,
  compare(missing, found) {
    const a = pick(missing);
    const b = pick(found);
    if (!a || !b) return unknown;
    // Not remembered: registers as varied as real ones (and the synthetic world since its wider name
    // lists) seldom compare the same two names twice. A memo of results by name missed two times in
    // three at 40,000 × 16,000, and cost more time and 380 MB more memory than it saved.
    return compareNames(a, b);
  },
});

function placeLevel(a: ResolvedPlace | null, b: ResolvedPlace | null, nearKm: number | null): string {
  if (!a?.stateCode || !b?.stateCode) return 'unknown';
  if (a.districtId && a.districtId === b.districtId) return 'same_district';
  // The same state where one side does not know the district (a child who can name only her state).
  if (!a.districtId || !b.districtId) return a.stateCode === b.stateCode ? 'same_state' : 'different';
  if (nearKm !== null) {
    const km = distanceKm(a, b);
    if (km !== null && km <= nearKm) return 'nearby';
  }
  // Both name a district, far apart in one state: far weaker than a state that is all one side knows.
  return a.stateCode === b.stateCode ? 'other_district' : 'different';
}

export const comparisons: Comparison[] = ([
  nameComparison('name', (r) => r.name, true),
  nameComparison('father', (r) => r.father, true),
  nameComparison('mother', (r) => r.mother, false),
  {
    // A family name both records give, on the child's name or her father's: a report's "Nazia" with
    // her father "Aslam Shaikh" and a shelter's "Nazia Shaikh", which the name comparisons, each of
    // one field, do not see. A rare family name counts for more than a common one. Not sharing one is
    // weak evidence against, as most pairs cannot share one: one side or both give no family name,
    // or a given name of two parts ("Jai Prakash") takes its place.
    name: 'family',
    levels: ['shared', 'not_shared'],
    ordered: true,
    termFrequencyLevels: ['shared'],
    compare(missing, found) {
      // Most pairs have no family name on one side: answered without building anything.
      let shared: string[] | null = null;
      if (found.family.length) for (const key of missing.family) if (found.family.includes(key)) (shared ??= []).push(key);
      return shared ? { level: 'shared', keys: shared } : notShared;
    },
  },
  {
    // Pet names that could be anyone's, when both records give one: a shelter's "Pappu" and a
    // report's "Rahul urf Pappu". Weak alone, as thousands answer to each; and a child is often
    // called one thing at home and another where she was found, so two different ones say little.
    name: 'pet_name',
    levels: ['shared', 'not_shared'],
    ordered: true,
    compare: (m, f) => (m.petNames.length && f.petNames.length ? (m.petNames.some((key) => f.petNames.includes(key)) ? { level: 'shared' } : notShared) : unknown),
  },
  {
    // Names are sexed: two unrelated children whose names agree are nearly always of one sex, so
    // beside an agreeing name, one sex is worth less and two sexes (a clerk's slip) cost less.
    name: 'sex',
    levels: ['equal', 'different'],
    givenName: true,
    compare: (m, f) => (m.sex === 'unknown' || f.sex === 'unknown' ? unknown : { level: m.sex === f.sex ? 'equal' : 'different' }),
  },
  {
    name: 'age',
    levels: ['close', 'near', 'overlap', 'far_overlap', 'within_2y', 'within_4y', 'apart'],
    ordered: true,
    compare: (m, f) => (m.birth && f.birth ? { level: ageLevel(m.birth, f.birth) } : unknown),
  },
  {
    name: 'time',
    levels: ['within_month', 'within_year', 'later', 'before'],
    ordered: true,
    compare: (m, f) => ({ level: timeLevel(m.eventDay, f.eventDay) }),
  },
  {
    name: 'home',
    levels: ['same_district', 'same_state', 'nearby', 'other_district', 'different'],
    ordered: true,
    compare: (m, f) => ({ level: placeLevel(m.home, f.home, 100) }),
  },
  {
    name: 'where_found',
    levels: ['same_district', 'same_state', 'nearby', 'other_district', 'different'],
    ordered: true,
    // Where a child was lost and found mostly repeats the home when the homes already agree on the
    // district (a Gaya child found in Gaya): counted twice it swamped the names, so it is left out then.
    compare: (m, f) => (placeLevel(m.home, f.home, 100) === 'same_district' ? unknown : { level: placeLevel(m.seen, f.seen, 100) }),
  },
  {
    name: 'marks',
    levels: ['shared', 'none_shared'],
    compare: (m, f) => (m.marks.length && f.marks.length ? { level: m.marks.some((mark) => f.marks.includes(mark)) ? 'shared' : 'none_shared' } : unknown),
  },
  {
    // The languages both records give; or, when the report gives none, the child's against the
    // report's home state (a Bengali-speaking child in a Chennai shelter and a report from West
    // Bengal). Hindi alone is its own level: children everywhere speak it. A language says where a
    // child is from, so when her home state is known to be the report's, it says nothing more: two
    // unrelated children of one state mostly speak its language too, and weighed again it made
    // look-alikes of one state likely.
    name: 'language',
    levels: ['shared', 'home_state_language', 'home_state_hindi', 'not_home_state_language', 'different'],
    compare: (m, f) => {
      if (!f.languages.length || (m.home?.stateCode && m.home.stateCode === f.home?.stateCode)) return unknown;
      if (m.languages.length) return { level: m.languages.some((l) => f.languages.includes(l)) ? 'shared' : 'different' };
      const state = m.home?.stateCode ?? m.seen?.stateCode;
      const spoken = state ? spokenInState(f.languages, state) : null;
      return spoken ? { level: spoken === 'regional' ? 'home_state_language' : spoken === 'hindi' ? 'home_state_hindi' : 'not_home_state_language' } : unknown;
    },
  },
  {
    // The same photograph, turned or mirrored or not (PDQ within 31 bits). A different photograph is
    // weak evidence against: a shelter's new picture of a child is not the family's old one. The
    // model never lets this alone make a pair likely (model.ts, photoSupportBits).
    name: 'photo',
    levels: ['same_photo', 'different'],
    compare: (m, f) => {
      const distance = closestPhotoDistance(m.photos, f.photos);
      return distance === null ? unknown : { level: distance <= PDQ_MATCH_DISTANCE ? 'same_photo' : 'different' };
    },
  },
] satisfies Comparison[]).map(comparison);
