// A record turned, once, into everything the comparisons and the blocking keys need.
import { fromAgeAt, fromBirthDate, fromEstimate, fromRange, dayOf, type BirthInterval } from './age.ts';
import { normaliseLanguages } from './languages.ts';
import { parseMarks } from './marks.ts';
import { familyNameKeys, petNameKeys, prepareName, type PreparedName } from './names/compare.ts';
import type { PhotoHash } from './photos/evidence.ts';
import { resolvePlace, type ResolvedPlace } from './places.ts';
import type { FoundChild, MissingReport, Sex, Side } from './record.ts';

export interface PreparedRecord {
  side: Side;
  ref: string;
  sex: Sex;
  name: PreparedName | null;
  father: PreparedName | null;
  mother: PreparedName | null;
  /** The family name's phonetic keys, from the child's name and her father's (compare.ts, familyNameKeys). */
  family: readonly string[];
  /** The pet names that could be anyone's the name and aliases give, by phonetic key (compare.ts, petNameKeys). */
  petNames: readonly string[];
  birth: BirthInterval | null;
  /** The day the child went missing, or was found. */
  eventDay: number;
  /** The family's home (a report) or the home the child names (a found child). */
  home: ResolvedPlace | null;
  /** Where the child was last seen, or found. */
  seen: ResolvedPlace | null;
  marks: string[];
  languages: string[];
  /** Usable PDQ hashes of the record's photos (the caller hashes the files: this module does no I/O). */
  photos: readonly PhotoHash[];
}

// Registers repeat the same names and places thousands of times: each distinct text is prepared
// once and shared.
const cacheLimit = 200_000;
const nameCache = new Map<string, PreparedName | null>();
const petNameCache = new Map<string, string[]>();
const keptPlaceCache = new Map<string, ResolvedPlace>();

function remembered<T>(cache: Map<string, T>, key: string, make: () => T): T {
  if (cache.has(key)) return cache.get(key)!;
  if (cache.size >= cacheLimit) cache.clear();
  const value = make();
  cache.set(key, value);
  return value;
}

/** A name with its aliases as one cache key. */
const namesKey = (raw: string | null | undefined, aliases?: readonly string[] | null) => [raw ?? '', ...(aliases ?? [])].join('\u0001');

function nameOf(raw: string | null | undefined, aliases?: readonly string[] | null): PreparedName | null {
  if (!raw && !aliases?.length) return null;
  return remembered(nameCache, namesKey(raw, aliases), () => prepareName(raw, aliases));
}

function petNamesOf(raw: string | null | undefined, aliases?: readonly string[] | null): string[] {
  if (!raw && !aliases?.length) return [];
  return remembered(petNameCache, namesKey(raw, aliases), () => petNameKeys(raw, aliases));
}

/** A place resolved (resolvePlace keeps each once, by what it reads of it), or null when nothing usable is written. */
function placeOrNull(place: Parameters<typeof resolvePlace>[0]): ResolvedPlace | null {
  if (!place) return null;
  const resolved = resolvePlace(place);
  return resolved.resolution === 'empty' ? null : resolved;
}

/**
 * A record's places as resolvePlace gave them, by field name: the service resolves them when a
 * record is written and keeps them beside it (records/places.ts), so matching need not resolve a
 * misspelt district again for every record it is compared with (a fuzzy search of the gazetteer).
 */
export type ResolvedPlaces = Readonly<Record<string, ResolvedPlace | undefined>>;

/** The record's place `field`: the resolution kept for it when there is one, else resolved now. */
function placeOf(resolved: ResolvedPlaces | undefined, field: string, place: Parameters<typeof resolvePlace>[0]): ResolvedPlace | null {
  if (!place) return null;
  const kept = resolved?.[field];
  if (!kept) return placeOrNull(place);
  // Places kept with a record come parsed anew with each one; the same place is shared, as a text
  // resolved here is (resolvePlace's cache): a sixth of the heap of a worker holding a million records prepared.
  return kept.resolution === 'empty' ? null : remembered(keptPlaceCache, JSON.stringify(kept), () => kept);
}

/** The family name's keys of a child's name and her father's, once each. */
function familyOf(name: PreparedName | null, father: PreparedName | null): string[] {
  const keys = familyNameKeys(name);
  for (const key of familyNameKeys(father)) if (!keys.includes(key)) keys.push(key);
  return keys;
}

/** A sex left unknown may still be told by the name's particle (Kumari, Devi, Kaur, Kumar, ...). */
function sexOf(sex: Sex, name: PreparedName | null): Sex {
  return sex === 'unknown' && name?.sexHint ? name.sexHint : sex;
}

export function prepareMissing(report: MissingReport, photos: readonly PhotoHash[] = [], places?: ResolvedPlaces): PreparedRecord {
  const name = nameOf(report.name, report.aliases);
  const father = nameOf(report.fatherName ?? name?.relative ?? report.guardianName);
  const birth = report.birthDate ? fromBirthDate(report.birthDate) : report.ageYears != null ? fromAgeAt(report.ageYears, report.missingSince) : null;
  return {
    side: 'missing', ref: report.ref, sex: sexOf(report.sex, name), name,
    father, family: familyOf(name, father), petNames: petNamesOf(report.name, report.aliases),
    mother: nameOf(report.motherName),
    birth, eventDay: dayOf(report.missingSince),
    home: placeOf(places, 'home', report.home) ?? placeOf(places, 'lastSeen', report.lastSeen),
    seen: placeOf(places, 'lastSeen', report.lastSeen),
    marks: parseMarks(report.identificationMarks), languages: normaliseLanguages(report.languages),
    photos,
  };
}

export function prepareFound(child: FoundChild, photos: readonly PhotoHash[] = [], places?: ResolvedPlaces): PreparedRecord {
  const name = nameOf(child.name, child.aliases);
  const father = nameOf(child.fatherName ?? name?.relative);
  const birth = child.birthDate ? fromBirthDate(child.birthDate)
    : child.ageRangeYears ? fromRange(child.ageRangeYears, child.foundOn)
      : child.apparentAgeYears != null ? fromEstimate(child.apparentAgeYears, child.foundOn) : null;
  return {
    side: 'found', ref: child.ref, sex: sexOf(child.sex, name), name,
    father, family: familyOf(name, father), petNames: petNamesOf(child.name, child.aliases), mother: nameOf(child.motherName),
    birth, eventDay: dayOf(child.foundOn),
    home: placeOf(places, 'statedHome', child.statedHome), seen: placeOf(places, 'foundAt', child.foundAt),
    marks: parseMarks(child.identificationMarks), languages: normaliseLanguages(child.languages),
    photos,
  };
}
