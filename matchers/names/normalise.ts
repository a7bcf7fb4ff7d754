// A written name split into what identifies the child: the given-name parts in Latin, initials,
// particles (Kumar, Kumari, Devi, Singh, Kaur, Begum, ...: their own signal, also of sex), aliases
// ("X @ Y", "X urf Y", "X alias Y"), and the relative named after "s/o", "d/o".
import { consonantSkeleton, phoneticKey } from './phonetic.ts';
import { isGenericPetName } from './nicknames.ts';
import { arabicConsonants, detectScript, toLatin, type Reading, type Script } from './transliterate.ts';

export interface NameParts {
  script: Script;
  tokens: string[];
  /** Each token's consonant skeletons (phonetic.ts): one, or for an Urdu word one per reading of its و. */
  skeletons: string[][];
  initials: string[];
  particles: string[];
  sexHint: 'male' | 'female' | null;
  aliases: string[];
  /** "Lakshmi d/o Ramesh Mahto": the relative's name, when the name carries one. */
  relative: string | null;
}

const honorifics = new Set(['shri', 'shree', 'sri', 'smt', 'shrimati', 'srimati', 'mr', 'mrs', 'ms', 'miss', 'master', 'mast', 'baby', 'dr', 'late', 'lt', 'swargiya', 'svargiya', 'mrit', 'kum', 'km', 'kmr', 'selvi', 'thiru', 'tmt', 'janab', 'sahab', 'ji']);
const femaleParticles = new Set(['kumari', 'devi', 'kaur', 'begum', 'bano', 'banu', 'khatun', 'khatoon', 'bibi', 'ben', 'bai', 'rani', 'km', 'kum', 'kmr', 'smt', 'miss', 'selvi', 'tmt']);
const maleParticles = new Set(['kumar', 'singh', 'bhai', 'lal', 'master', 'mast', 'thiru']);
/** Titles and particles that are given names too, with the sex the name says ("Devi Prasad" is a man). */
const titlesAlsoNames = new Map<string, 'female' | null>([['selvi', 'female'], ['rani', 'female'], ['devi', null]]);
const particles = new Set([...femaleParticles, ...maleParticles].filter((word) => !['km', 'kum', 'kmr', 'smt', 'miss', 'selvi', 'tmt', 'master', 'mast', 'thiru', 'lal'].includes(word)));
/**
 * Particles clerks also write joined to the name before them ("Anilkumar", "Ramsingh", "Poojakumari",
 * "Rameshbhai", "Hetalben", "Meerabai", "अनिलकुमार"), longest first.
 */
const joinedParticles = ['khatoon', 'kumari', 'khatun', 'kumar', 'singh', 'begum', 'devi', 'kaur', 'bhai', 'bano', 'banu', 'bibi', 'ben', 'bai'];

/** A word made of a name and a particle written as one ("anilkumar"): the name and the particle; else null. */
function particleJoined(token: string): [string, string] | null {
  for (const particle of joinedParticles) {
    if (!token.endsWith(particle)) continue;
    const stem = token.slice(0, -particle.length);
    // The stem must be a name of its own: not a title ("Sridevi" stays one name), not a pet name
    // that could be anyone's ("Rajkumar" is not "Raja"), and long enough to be one (Sukumar; Reuben,
    // Ruben: a particle of three letters needs four before it).
    if (stem.length < (particle.length <= 3 ? 4 : 3)) return null;
    if (honorifics.has(stem) || femaleParticles.has(stem) || maleParticles.has(stem) || isGenericPetName(phoneticKey(stem))) return null;
    return [stem, particle];
  }
  return null;
}

const canonical: Record<string, string> = {
  md: 'mohammad', mohd: 'mohammad', mohmmad: 'mohammad', mohammed: 'mohammad', muhammad: 'mohammad', muhammed: 'mohammad', mahamad: 'mohammad', mohamad: 'mohammad', mohammd: 'mohammad',
  sk: 'shaikh', sheikh: 'shaikh', shekh: 'shaikh', shaik: 'shaikh', seikh: 'shaikh',
};
const relationPattern = /\s(?:s\s*\/\s*o|d\s*\/\s*o|w\s*\/\s*o|c\s*\/\s*o|son of|daughter of|wife of|पुत्र|पुत्री|बेटा|बेटी|पुत्र श्री|पिता)\s/i;
const aliasPattern = /\s*@\s*|\s+(?:urf|urph|alias|उर्फ|ওরফে)\s+/i;
// Whole words only: मृत (dead) is also the middle of अमृत, अमृता (Amrit, Amrita).
const deathWords = /(?<![\p{L}\p{M}])(?:स्वर्गीय|स्व\.|मृत|late)(?![\p{L}\p{M}])/giu;

// Initials written out in Devanagari as the English letter's name ("आर" R, "एम" M, "एस" S), as Hindi
// registers and rolls write "R. Kumar". जी (G) is left out: it is the honorific "ji".
const devanagariLetterNames = new Map(
  Object.entries({
    a: ['ए'], b: ['बी'], c: ['सी'], d: ['डी'], e: ['ई'], f: ['एफ', 'एफ़'], h: ['एच'], i: ['आई'], j: ['जे'], k: ['के'], l: ['एल'],
    m: ['एम'], n: ['एन'], o: ['ओ'], p: ['पी'], q: ['क्यू', 'क़्यू'], r: ['आर'], s: ['एस'], t: ['टी'], u: ['यू'], v: ['वी'],
    w: ['डब्ल्यू', 'डबल्यू'], x: ['एक्स'], y: ['वाई'], z: ['जेड', 'ज़ेड'],
  }).flatMap(([letter, spellings]) => spellings.map((spelling) => [spelling.normalize('NFKC'), letter] as const)),
);

/**
 * "Sharma, RK", "RK Sharma", "Russell, AD": a short run of capitals among words that are not all
 * capitals is a group of initials when it has no vowel, or when it follows a comma (the register's
 * "Surname, INITIALS"). "Raju DAS", "Md ALI": capitals with a vowel and no comma stay a name, and a
 * name written all in capitals says nothing by its case.
 */
function initialsGroup(word: string, words: readonly string[], afterComma: boolean): string[] | null {
  if (!/^[A-Z]{2,4}$/.test(word) || words.every((w) => !/[a-z]/.test(w))) return null;
  if (!afterComma && /[AEIOU]/.test(word)) return null;
  const lower = word.toLowerCase();
  if (canonical[lower] || honorifics.has(lower) || femaleParticles.has(lower) || maleParticles.has(lower)) return null;
  return [...lower];
}

/** Notes the sex a word says (Kumari, Singh) and, when it is a particle, the particle; true for a particle. */
function noteParticle(parts: NameParts, token: string): boolean {
  if (femaleParticles.has(token)) parts.sexHint ??= 'female';
  else if (maleParticles.has(token)) parts.sexHint ??= 'male';
  if (!particles.has(token)) return false;
  parts.particles.push(token);
  return true;
}

export function normaliseName(raw: string, reading?: Reading): NameParts {
  let text = raw.normalize('NFKC').replace(/[\u200b-\u200d\u2060\ufeff]/g, '').replace(deathWords, ' ');
  let relative: string | null = null;
  const relation = ` ${text} `.split(relationPattern);
  if (relation.length > 1) {
    text = relation[0]!.trim();
    relative = relation.slice(1).join(' ').trim() || null;
  }
  const [main = '', ...aliases] = text.split(aliasPattern).map((part) => part.trim()).filter(Boolean);
  const script = detectScript(main);
  // Initials glued with dots ("S.KRISHNAVENI", "M.सक्तीवेल") come apart at the dots.
  const splitWords = (text: string) => text.replace(/[.,]/g, ' ').split(/[\s\-_/]+/).filter(Boolean);
  const words = splitWords(main);
  const comma = main.indexOf(',');
  const afterComma = new Set(comma < 0 ? [] : splitWords(main.slice(comma + 1)));
  const parts: NameParts = { script, tokens: [], skeletons: [], initials: [], particles: [], sexHint: null, aliases, relative };
  for (const word of words) {
    const spelled = script === 'devanagari' ? devanagariLetterNames.get(word) : undefined;
    const group = spelled ? [spelled] : script === 'latin' ? initialsGroup(word, words, afterComma.has(word)) : null;
    if (group) {
      parts.initials.push(...group);
      continue;
    }
    const latin = toLatin(word, reading).replace(/[^a-z]/g, '');
    if (!latin) continue;
    let token = canonical[latin] ?? latin;
    const arabic = detectScript(word) === 'arabic';
    // "Anilkumar" is "Anil Kumar": the particle comes off, as it does when written apart (not from a
    // word written in Perso-Arabic, whose consonant frames are read from the word as written).
    const joined = particles.has(token) || arabic ? null : particleJoined(token);
    if (joined) {
      noteParticle(parts, joined[1]);
      token = joined[0];
    }
    // A title or particle that is also a given name (Selvi, Devi, Rani) is the name when no name part
    // comes before it: "Selvi Gounder", "P. Selvi", "Devi Prasad", "Km. Rani"; after one it is the
    // title or particle ("Sunita Devi", "Pooja Rani").
    const asName = !parts.tokens.length && titlesAlsoNames.has(token);
    if (asName) parts.sexHint ??= titlesAlsoNames.get(token)!;
    else if (noteParticle(parts, token) || honorifics.has(token)) continue;
    if (token.length === 1 || (word.length === 1 && script !== 'latin')) parts.initials.push(token[0]!);
    else {
      parts.tokens.push(token);
      const frames = arabic && !canonical[latin] ? arabicConsonants(word) : [token];
      parts.skeletons.push([...new Set(frames.map((frame) => consonantSkeleton(phoneticKey(frame))))]);
    }
  }
  return parts;
}
