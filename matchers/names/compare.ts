// Names prepared once and compared fast. The levels, strongest first:
//   exact        the same given-name parts (one side may lack the other's surname)
//   phonetic     every part of the shorter name has the same Indian phonetic key in the other
//   jw_high      aligned Jaro-Winkler >= 0.92
//   typo         each part of the shorter name a slip of the keyboard (one letter changed, added,
//                dropped or two swapped, the first letter kept) from a part of the other, written
//                or phonetic, one of them at least four letters long
//   jw_mid       aligned Jaro-Winkler >= 0.80
//   nickname     a pet name of the other's name
//   initial_only only initials agree
//   different    none of these
// A name that is only a generic pet name ("Munna", "Baby") is compared as no name at all.
import { isGenericPetName, nicknameOf } from './nicknames.ts';
import { normaliseName } from './normalise.ts';
import { keyOf, phoneticKey } from './phonetic.ts';
import { readingsOf, withVocalicRAsRu, type Reading, type Script } from './transliterate.ts';
import { alignedSimilarity, jaroWinkler, partsCouldReach, withinOneEdit } from './similarity.ts';

export interface PreparedName {
  raw: string;
  script: string;
  tokens: string[];
  initials: string[];
  particles: string[];
  sexHint: 'male' | 'female' | null;
  keys: string[];
  /** Each token's consonant skeletons: how a name written without short vowels (Urdu) meets its Latin spelling. */
  skeletons: string[][];
  relative: string | null;
  /** Each pair of neighbouring parts written as one word (joinsOf). */
  joins: Join[];
  alternatives: PreparedName[];
  /** The name without the parts a clerk writes or leaves out at will (withoutOptional), when it has such parts and others. */
  core?: PreparedName;
}

/** Two neighbouring parts of a name written as one word ("Jai Prakash" as "Jaiprakash"): where, the word, and its keys. */
export interface Join {
  at: number;
  token: string;
  /**
   * The word keyed whole, and the two parts' keys run together: जय गोपाल gives je + gopal, as
   * "Jaigopal" does; "Rama Krishna" keyed whole gives ramakrisn, as "Ramakrishna" does.
   */
  keys: string[];
}

function joinsOf(tokens: readonly string[], keys: readonly string[]): Join[] {
  const joins: Join[] = [];
  for (let at = 0; at + 1 < tokens.length; at++) {
    const token = tokens[at]! + tokens[at + 1]!;
    joins.push({ at, token, keys: [...new Set([keyOf(token), keys[at]! + keys[at + 1]!])] });
  }
  return joins;
}

export type NameLevel = 'exact' | 'phonetic' | 'jw_high' | 'typo' | 'jw_mid' | 'nickname' | 'initial_only' | 'different';
export const nameLevels: NameLevel[] = ['exact', 'phonetic', 'jw_high', 'typo', 'jw_mid', 'nickname', 'initial_only', 'different'];

function prepareOne(raw: string, reading?: Reading): PreparedName | null {
  const parts = normaliseName(raw, reading);
  const keys = parts.tokens.map(phoneticKey);
  const meaningful = keys.some((key) => !isGenericPetName(key));
  if (!parts.tokens.length && !parts.initials.length) return null;
  const name: PreparedName = {
    raw, script: parts.script, tokens: meaningful ? parts.tokens : [], initials: parts.initials, particles: parts.particles,
    sexHint: parts.sexHint, keys: meaningful ? keys : [], skeletons: meaningful ? parts.skeletons : [], relative: parts.relative,
    joins: meaningful ? joinsOf(parts.tokens, keys) : [], alternatives: [],
  };
  // Made once here, not for every pair the name is compared in.
  const core = coreOf(name);
  if (core !== name) name.core = core;
  return name;
}

const longestName = 200;

/** The name and its aliases ready to compare; null when nothing usable is written. */
export function prepareName(raw: string | null | undefined, aliases?: readonly string[] | null): PreparedName | null {
  // No name runs to hundreds of letters; a longer text is cut so comparing it stays cheap (string
  // similarity grows with the square of the length).
  const written = [raw, ...(aliases ?? [])]
    .filter((text): text is string => Boolean(text && text.trim()))
    .map((text) => (text.length > longestName ? text.slice(0, longestName) : text));
  const prepared: PreparedName[] = [];
  const add = (text: string) => {
    const usual = prepareOne(text);
    if (!usual) return;
    prepared.push(usual);
    // A name in a script whose medial schwas come and go is also read the other ways (अमरेश: amresh
    // and amaresh; गुरशरण: gurashran and gursharan; সুমন: suman and sumon): a report may spell it
    // any of them, and the readings need not share a key.
    const seen = new Set([usual.tokens.join(' ')]);
    for (const reading of readingsOf(usual.script as Script).slice(1)) {
      const other = prepareOne(text, reading);
      if (other && !seen.has(other.tokens.join(' '))) {
        seen.add(other.tokens.join(' '));
        prepared.push(other);
      }
    }
  };
  for (const text of written) {
    for (const form of [text, withVocalicRAsRu(text)]) {
      if (form === null) continue;
      add(form);
      for (const inner of normaliseName(form).aliases) add(inner);
    }
  }
  const usable = prepared.filter((name) => name.tokens.length || name.initials.length);
  const [first, ...rest] = usable;
  if (!first) return null;
  return { ...first, alternatives: rest };
}

/** The aligned Jaro-Winkler similarity of the levels jw_high and jw_mid. */
const [jwHigh, jwMid] = [0.92, 0.8];

const rank = (level: NameLevel) => nameLevels.indexOf(level);
/** Every item of `small` is in `large`. Plain loops here and below: these run for every pair of names a candidate's comparison meets. */
function subset(small: readonly string[], large: readonly string[]): boolean {
  for (const item of small) if (!large.includes(item)) return false;
  return true;
}

/**
 * Parts a clerk writes or leaves out as he likes, and so common that they say nothing ("Mohd.
 * Aslam", "Aslam Ansari"): a name is compared without them when it has other parts.
 */
const optionalParts = new Set(['mohammad']);

/** The name without its optional parts, as prepared with it (prepareOne). */
const withoutOptional = (name: PreparedName): PreparedName => name.core ?? name;

function coreOf(name: PreparedName): PreparedName {
  if (!name.tokens.some((token) => optionalParts.has(token))) return name;
  const drop = name.tokens.map((token) => optionalParts.has(token));
  if (drop.every(Boolean)) return name;
  const [tokens, keys] = [name.tokens.filter((_, i) => !drop[i]), name.keys.filter((_, i) => !drop[i])];
  return { ...name, tokens, keys, skeletons: name.skeletons.filter((_, i) => !drop[i]), joins: joinsOf(tokens, keys) };
}

function compareOne(x: PreparedName, y: PreparedName): NameLevel {
  const a = withoutOptional(x);
  const b = withoutOptional(y);
  if (!a.tokens.length || !b.tokens.length) {
    const letters = (n: PreparedName) => [...n.initials, ...n.tokens.map((t) => t[0]!)];
    return a.initials.length && b.initials.length && letters(a).some((l) => letters(b).includes(l)) ? 'initial_only' : 'different';
  }
  const aShorter = a.tokens.length <= b.tokens.length;
  const short = aShorter ? a : b;
  const long = aShorter ? b : a;
  if (subset(short.tokens, long.tokens) && (a.tokens.length === b.tokens.length ? subset(long.tokens, short.tokens) : true)) return 'exact';
  if (subset(short.keys, long.keys) || (a.keys.length === b.keys.length && subset(long.keys, short.keys))) return 'phonetic';
  // A name written as one word or as two ("Jaiprakash", "Jai Prakash"; शिवशंकर, "Shiv Shankar"):
  // the longer name with two neighbouring parts joined is compared as above.
  if (short.tokens.length < long.tokens.length) {
    const joined = joinedLevel(short, long);
    if (joined) return joined;
  }
  // Urdu or Tamil against another script: Urdu's vowels were guessed and Tamil writes one letter for
  // k and g, t and d, p and b, so the consonants decide. Two are enough only where the vowels are
  // unwritten: Tamil's are written, and its short names share too many (Deepa, Devi, Divya: t-p).
  if (lossyScripts.has(a.script) !== lossyScripts.has(b.script) && sameConsonants(short, long, a.script === 'arabic' || b.script === 'arabic' ? 2 : 3)) return 'phonetic';
  // Aligned only where some pair of parts, written or phonetic, could be as alike as the lower of the
  // two levels asks: most names compared differ in every part, and aligning them was most of the time
  // a name comparison took. Below it, the similarity decides no level, so 0 stands for it.
  const similarity = partsCouldReach(a.tokens, b.tokens, jwMid) || partsCouldReach(a.keys, b.keys, jwMid)
    ? Math.max(alignedSimilarity(a.tokens, b.tokens), alignedSimilarity(a.keys, b.keys, jaroWinkler))
    : 0;
  if (similarity >= jwHigh) return 'jw_high';
  if (typoApart(short.tokens, long.tokens) || typoApart(short.keys, long.keys)) return 'typo';
  if (similarity >= jwMid) return 'jw_mid';
  for (const key of a.keys) for (const other of b.keys) if (nicknameOf(key, other)) return 'nickname';
  return 'different';
}

/**
 * The levels above for `long` (more parts) with two neighbouring parts written as one word: exact when
 * the parts then agree as written, phonetic when their keys do. A join can only help when the word
 * is one of the shorter name's parts (else the parts agreed without it), so only those are tried.
 */
function joinedLevel(short: PreparedName, long: PreparedName): 'exact' | 'phonetic' | null {
  let phonetic = false;
  for (const join of long.joins) {
    if (short.tokens.includes(join.token) && agreeJoined(short.tokens, long.tokens, join.at, join.token)) return 'exact';
    for (const key of join.keys) if (!phonetic && short.keys.includes(key)) phonetic = agreeJoined(short.keys, long.keys, join.at, key);
  }
  return phonetic ? 'phonetic' : null;
}

/** `small` agrees with `large` whose parts at `at` and `at + 1` are written as one, `word`: as the levels above ask. */
function agreeJoined(small: string[], large: string[], at: number, word: string): boolean {
  const joined = [...large.slice(0, at), word, ...large.slice(at + 2)];
  return subset(small, joined) && (small.length < joined.length || subset(joined, small));
}

/** The keys of `name`'s joined words that `other` carries as parts. */
function joinedKeysIn(name: PreparedName, other: PreparedName): string[] {
  return name.joins.flatMap((join) => join.keys.filter((key) => other.keys.includes(key)));
}

/** The keys of a name's neighbouring parts joined (Join), aliases included: how "Jai Prakash" is found under "Jaiprakash". */
export function nameJoinedKeys(name: PreparedName): string[] {
  return [...new Set([name, ...name.alternatives].flatMap((form) => form.joins.flatMap((join) => join.keys)))].filter((key) => key.length >= 2);
}

/** Scripts that leave out what Latin spellings write: Urdu its short vowels, Tamil voicing and aspiration. */
const lossyScripts: ReadonlySet<string> = new Set(['arabic', 'tamil']);

/** Each part of `short` has a consonant skeleton of `letters` or more that a distinct part of `long` has too. */
function sameConsonants(short: PreparedName, long: PreparedName, letters: number): boolean {
  const used = new Set<number>();
  return short.skeletons.every((forms) => {
    const at = long.skeletons.findIndex((other, index) => !used.has(index) && forms.some((form) => form.length >= letters && other.includes(form)));
    if (at >= 0) used.add(at);
    return at >= 0;
  });
}

/** Each part of `short` is at most one edit from a distinct part of `long` with its first letter, and one such pair has four letters or more. */
function typoApart(short: string[], long: string[]): boolean {
  const used: number[] = [];
  let long4 = false;
  for (const part of short) {
    // The first part of `long` not used yet with its first letter and at most one edit away. First
    // letters are rarely mistyped, and one apart they make other names (Anil, Sunil).
    let at = -1;
    for (let index = 0; index < long.length && at < 0; index++) {
      const other = long[index]!;
      if (part[0] === other[0] && !used.includes(index) && withinOneEdit(part, other)) at = index;
    }
    if (at < 0) return false;
    used.push(at);
    if (part.length >= 4 && long[at]!.length >= 4) long4 = true;
  }
  return long4;
}

/**
 * The best level over every written form of both names, with the phonetic keys that matched (the
 * model weighs a match on a rare name more than on a common one). Symmetric; never throws.
 */
export function compareNames(a: PreparedName, b: PreparedName): { level: NameLevel; keys: string[] } {
  let best: NameLevel = 'different';
  let keys: string[] = [];
  // Each written form of one against each of the other's, the name itself first (-1).
  for (let i = -1; i < a.alternatives.length; i++) {
    const x = i < 0 ? a : a.alternatives[i]!;
    for (let j = -1; j < b.alternatives.length; j++) {
      const y = j < 0 ? b : b.alternatives[j]!;
      const level = compareOne(x, y);
      // Keys shared by names that differ are never returned: not gathered.
      if (level === 'different' || rank(level) > rank(best)) continue;
      // The keys both carry, and a joined word's key the other carries as a part ("Jai Prakash" and
      // "Jaiprakash" share jeprakas).
      const shared = [...x.keys.filter((key) => y.keys.includes(key)), ...joinedKeysIn(x, y), ...joinedKeysIn(y, x)];
      const matched = shared.length ? shared : [...x.keys, ...y.keys];
      // Ties between written forms merge their keys, so the answer doesn't depend on the order.
      keys = rank(level) < rank(best) ? matched : [...new Set([...keys, ...matched])];
      best = level;
    }
  }
  return { level: best, keys: best === 'different' ? [] : [...new Set(keys)].sort() };
}

/**
 * The phonetic keys of a name's family name: each part after the first, in every written form ("Nazia
 * Shaikh", a father's "Aslam Shaikh"). A name of one part gives none; initials, particles ("Kumari",
 * "Singh") and parts written or left out at will ("Mohd.") are not parts, so they never count.
 */
export function familyNameKeys(name: PreparedName | null): string[] {
  if (!name) return [];
  return [...new Set([name, ...name.alternatives].flatMap((form) => withoutOptional(form).keys.slice(1)).filter((key) => key.length >= 2))];
}

/**
 * The pet names that could be anyone's ("Munna", "Guddi", "Chhotu") a name and its aliases give, by
 * phonetic key. Alone such a name identifies no one, so the name comparisons leave it out; yet a
 * shelter's "Pappu" and a report's "Rahul urf Pappu" say something together (comparisons.ts, pet_name).
 */
export function petNameKeys(raw: string | null | undefined, aliases?: readonly string[] | null): string[] {
  const keys = new Set<string>();
  const addTokens = (text: string) => {
    const parts = normaliseName(text.length > longestName ? text.slice(0, longestName) : text);
    for (const token of parts.tokens) {
      const key = phoneticKey(token);
      if (isGenericPetName(key)) keys.add(key);
    }
    return parts.aliases;
  };
  for (const text of [raw, ...(aliases ?? [])]) if (text?.trim()) for (const inner of addTokens(text)) addTokens(inner);
  return [...keys].sort();
}

/** The consonant skeletons a name is indexed under (two letters or more), aliases included. */
export function nameSkeletonKeys(name: PreparedName): string[] {
  return [...new Set([name, ...name.alternatives].flatMap((n) => n.skeletons.flat()).filter((key) => key.length >= 2))];
}

/** The keys a name is indexed under: the phonetic key of each given-name part, aliases included. */
export function nameBlockingKeys(name: PreparedName): string[] {
  return [...new Set([name, ...name.alternatives].flatMap((n) => n.keys).filter((key) => key.length >= 2))];
}
