// Indic scripts to the Latin spellings Indian clerks write. The nine Brahmic scripts share one
// layout (ISCII's): a letter's offset inside its Unicode block names the same sound in each, so
// every script is read as the same sequence of syllables, then romanised with schwa deletion
// (रमेश → ramesh, कमला → kamla, लछमी → lachmi) and each script's own habits on top (Bengali ব/য,
// Tamil voicing). Perso-Arabic (Urdu) is written with consonants and long vowels only; its short
// vowels are guessed the way clerks usually spell them.

export type Script = 'latin' | 'devanagari' | 'bengali' | 'gurmukhi' | 'gujarati' | 'odia' | 'tamil' | 'telugu' | 'kannada' | 'malayalam' | 'arabic' | 'other';

const blocks: [number, Script][] = [
  [0x0900, 'devanagari'], [0x0980, 'bengali'], [0x0a00, 'gurmukhi'], [0x0a80, 'gujarati'], [0x0b00, 'odia'],
  [0x0b80, 'tamil'], [0x0c00, 'telugu'], [0x0c80, 'kannada'], [0x0d00, 'malayalam'],
];

function scriptOf(code: number): Script | null {
  if (code >= 0x0900 && code < 0x0d80) return blocks[Math.floor((code - 0x0900) / 0x80)]![1];
  if ((code >= 0x0600 && code < 0x0700) || (code >= 0xfb50 && code < 0xfe00)) return 'arabic';
  if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || (code >= 0xc0 && code < 0x250)) return 'latin';
  return null;
}

/** The script most of the letters are in. */
export function detectScript(text: string): Script {
  const counts = new Map<Script, number>();
  for (const char of text) {
    const script = scriptOf(char.codePointAt(0)!);
    if (script) counts.set(script, (counts.get(script) ?? 0) + 1);
  }
  let best: Script = 'other';
  let most = 0;
  for (const [script, count] of counts) if (count > most) [best, most] = [script, count];
  return best;
}

// Consonants by their offset in the block (Devanagari's letters named in the comments).
const consonants: Record<number, string> = {
  0x15: 'k', 0x16: 'kh', 0x17: 'g', 0x18: 'gh', 0x19: 'n', // क ख ग घ ङ
  0x1a: 'ch', 0x1b: 'chh', 0x1c: 'j', 0x1d: 'jh', 0x1e: 'n', // च छ ज झ ञ
  0x1f: 't', 0x20: 'th', 0x21: 'd', 0x22: 'dh', 0x23: 'n', // ट ठ ड ढ ण
  0x24: 't', 0x25: 'th', 0x26: 'd', 0x27: 'dh', 0x28: 'n', 0x29: 'n', // त थ द ध न ऩ
  0x2a: 'p', 0x2b: 'ph', 0x2c: 'b', 0x2d: 'bh', 0x2e: 'm', // प फ ब भ म
  0x2f: 'y', 0x30: 'r', 0x31: 'r', 0x32: 'l', 0x33: 'l', 0x34: 'zh', 0x35: 'v', // य र ऱ ल ळ ऴ व
  0x36: 'sh', 0x37: 'sh', 0x38: 's', 0x39: 'h', // श ष स ह
  0x58: 'k', 0x59: 'kh', 0x5a: 'g', 0x5b: 'z', 0x5c: 'r', 0x5d: 'rh', 0x5e: 'f', 0x5f: 'y', // क़ ख़ ग़ ज़ ड़ ढ़ फ़ य़
};
// Independent vowels and vowel signs, by offset.
const vowels: Record<number, string> = {
  0x05: 'a', 0x06: 'a', 0x07: 'i', 0x08: 'i', 0x09: 'u', 0x0a: 'u', 0x0b: 'ri', 0x0c: 'li', 0x0d: 'e', 0x0e: 'e', 0x0f: 'e',
  0x10: 'ai', 0x11: 'o', 0x12: 'o', 0x13: 'o', 0x14: 'au',
  0x3e: 'a', 0x3f: 'i', 0x40: 'i', 0x41: 'u', 0x42: 'u', 0x43: 'ri', 0x44: 'ri', 0x45: 'e', 0x46: 'e', 0x47: 'e', 0x48: 'ai',
  0x49: 'o', 0x4a: 'o', 0x4b: 'o', 0x4c: 'au', 0x57: 'au',
};
// Nukta forms written as letter + nukta sign, by the letter's offset.
const nuktaForms: Record<number, string> = { 0x15: 'k', 0x16: 'kh', 0x17: 'g', 0x1c: 'z', 0x21: 'r', 0x22: 'rh', 0x2b: 'f', 0x2f: 'y', 0x38: 'sh', 0x32: 'l' };
// Malayalam chillu letters (a consonant with no vowel), by code point.
const chillu: Record<number, string> = { 0x0d7a: 'n', 0x0d7b: 'n', 0x0d7c: 'r', 0x0d7d: 'l', 0x0d7e: 'l', 0x0d7f: 'k', 0x0d54: 'm', 0x0d55: 'y', 0x0d56: 'zh' };

interface Syllable {
  /** The consonant cluster (empty for an initial vowel). */
  consonants: string[];
  /** The vowel; 'a' with `inherent` set is the schwa that may be silent. */
  vowel: string;
  inherent: boolean;
  nasal: boolean;
  /** After a virama: the next consonant joins this cluster. */
  joining?: boolean;
}

/** Splits one word of a Brahmic script into syllables, by offset within its block. */
function syllables(word: string, script: Script): Syllable[] {
  const result: Syllable[] = [];
  let current: Syllable | null = null;
  const chars = [...word];
  for (let i = 0; i < chars.length; i++) {
    const code = chars[i]!.codePointAt(0)!;
    const offset = (code - 0x0900) % 0x80;
    const nextOffset = i + 1 < chars.length ? (chars[i + 1]!.codePointAt(0)! - 0x0900) % 0x80 : -1;
    if (chillu[code]) {
      // A chillu closes the syllable before it: a consonant of its own with no vowel.
      if (current) result.push(current);
      current = null;
      result.push({ consonants: [chillu[code]!], vowel: '', inherent: false, nasal: false });
      continue;
    }
    if (code === 0x09ce) {
      // Bengali khanda ta: a t with no vowel.
      if (current) result.push(current);
      current = { consonants: ['t'], vowel: '', inherent: false, nasal: false };
      continue;
    }
    const odiaWa = script === 'odia' && code === 0x0b71; // ୱ, outside the shared consonant offsets (ସ୍ୱାଇଁ Swain)
    if ((consonants[offset] !== undefined && offset >= 0x15) || odiaWa) {
      let sound = odiaWa ? 'w' : nextOffset === 0x3c ? (nuktaForms[offset] ?? consonants[offset]!) : consonants[offset]!;
      if (nextOffset === 0x3c) i++;
      // য: j, but y after a consonant and with a nukta (য়: প্রিয়াঙ্কা Priyanka, জয় Joy).
      if (script === 'bengali' && offset === 0x2f) sound = nextOffset === 0x3c || (current && current.vowel === '') ? 'y' : 'j';
      if (script === 'bengali' && offset === 0x35) sound = 'b';
      if (script === 'tamil' && offset === 0x24) sound = 'th'; // த: clerks write th (Senthil, Geetha)
      // Malayalam says മ്പ mb and ന്റ nt (അമ്പിളി Ambili, നമ്പ്യാർ Nambiar; ആന്റണി Antony).
      if (script === 'malayalam' && current?.joining && current.consonants.at(-1) === 'm' && offset === 0x2a) sound = 'b';
      if (script === 'malayalam' && current?.joining && current.consonants.at(-1) === 'n' && offset === 0x31) sound = 't';
      if (current && current.vowel === '' && !current.inherent && current.consonants.length && current.joining) {
        current.consonants.push(sound);
        current.vowel = 'a';
        current.inherent = true;
        current.joining = false;
      }
      else {
        if (current) result.push(current);
        current = { consonants: [sound], vowel: 'a', inherent: true, nasal: false };
      }
      continue;
    }
    if (offset === 0x4d) {
      // Virama: the consonant has no vowel; the next consonant joins its cluster.
      if (current) Object.assign(current, { vowel: '', inherent: false, joining: true });
      continue;
    }
    if (vowels[offset] !== undefined) {
      if (offset >= 0x3e && current) Object.assign(current, { vowel: vowels[offset]!, inherent: false });
      else {
        if (current) result.push(current);
        current = { consonants: [], vowel: vowels[offset]!, inherent: false, nasal: false };
      }
      continue;
    }
    if (offset === 0x01 || offset === 0x02 || (script === 'gurmukhi' && offset === 0x70)) {
      if (current) current.nasal = true;
      continue;
    }
    if (script === 'gurmukhi' && offset === 0x71) {
      // Addak doubles the next consonant; a doubled letter changes nothing the keys can hear.
      continue;
    }
  }
  if (current) result.push(current);
  return result;
}

/** The consonants a final conjunct may end in and keep its schwa: mishra, aditya, padma, krishna, shukla. */
const sonorants = new Set(['y', 'r', 'v', 'w', 'l', 'm', 'n']);

/** Hindi-style schwa deletion: the last schwa goes, and a medial one between V C _ C V. */
function deleteSchwas(parts: Syllable[], script: Script, medial: Reading): void {
  if (parts.length < 2 || script === 'tamil' || script === 'malayalam') return;
  const last = parts[parts.length - 1]!;
  // The last schwa is silent, after a conjunct too (adarsh, siddharth), unless the conjunct ends in a
  // sonorant (mishra, aditya, indra). Kannada and Telugu say theirs (ರಮೇಶ Ramesha).
  const saidLast = script === 'kannada' || script === 'telugu';
  if (!saidLast && last.inherent && !last.nasal && (last.consonants.length === 1 || !sonorants.has(last.consonants.at(-1)!))) Object.assign(last, { vowel: '', inherent: false });
  if (medial.startsWith('full') || !medialSchwaScripts.has(script)) return;
  const silent = (i: number) => {
    const here = parts[i]!;
    const before = parts[i - 1]!;
    const after = parts[i + 1]!;
    // Before a conjunct of two the schwa goes too (harpreet); where it is said (abhimanyu), the
    // 'full' reading keeps it.
    const afterHasVowel = after.vowel !== '' && after.consonants.length >= 1 && after.consonants.length <= 2;
    if (!(here.inherent && !here.nasal && here.consonants.length === 1 && before.vowel !== '' && afterHasVowel)) return false;
    Object.assign(here, { vowel: '', inherent: false });
    return true;
  };
  // Never two deletions side by side.
  if (medial.startsWith('spoken')) for (let i = parts.length - 2; i >= 1; i--) i -= Number(silent(i));
  else for (let i = 1; i <= parts.length - 2; i++) i += Number(silent(i));
}

const tamilHard = new Set(['k', 'ch', 't', 'p']);
const tamilVoiced: Record<string, string> = { k: 'g', ch: 's', t: 'd', p: 'p' };

/**
 * Tamil writes no voiced stops: க is k at the start and when doubled, g between vowels and after a
 * nasal. A first ச is s (Selvi, Sakthivel), or ch where `firstCh` (Chitra, Chandran).
 */
function tamilVoicing(parts: Syllable[], firstCh: boolean): void {
  parts.forEach((part, index) => {
    if (index === 0 && part.consonants[0] === 'ch' && !firstCh) part.consonants[0] = 's';
    if (index === 0) return;
    const previous = parts[index - 1]!;
    const [first] = part.consonants;
    if (!first || !tamilHard.has(first) || part.consonants.length > 1) return;
    if (previous.vowel !== '' && !previous.nasal) part.consonants[0] = tamilVoiced[first]!;
    else if (previous.vowel === '' && previous.consonants.at(-1) === 'n') part.consonants[0] = first === 'ch' ? 'j' : tamilVoiced[first]!;
  });
}

/**
 * How a schwa-deleting script is read. 'spoken' deletes the medial schwas Hindi does not say, from
 * the end of the word (अमरेश → amresh, धरमपाल → dharampal); 'compound' deletes them from its start,
 * as at the joint of a compound name (गुरशरण → gursharan, हरभजन → harbhajan); 'full' keeps them, as
 * many names are spelt in Latin letters (amaresh, abhimanyu). The last schwa goes in all three,
 * except in Kannada and Telugu, which say it.
 */
type SchwaReading = 'spoken' | 'compound' | 'full';
/** The same with '-o': the schwas said are said o, as Bengali, Assamese and Odia say them (জয় Joy, মন্ডল Mondal). */
export type Reading = SchwaReading | `${SchwaReading}-o`;

/** Scripts whose medial schwas come and go between readings. */
const medialSchwaScripts: ReadonlySet<Script> = new Set(['devanagari', 'gurmukhi', 'gujarati', 'bengali', 'odia', 'kannada', 'telugu']);
const schwaSaidO: ReadonlySet<Script> = new Set(['bengali', 'odia']);

/** The readings of a word in `script`, the usual one first. */
export function readingsOf(script: Script): readonly Reading[] {
  // Tamil deletes no schwas: its 'full' reading says a first ச ch, not s (tamilVoicing).
  if (script === 'tamil') return ['spoken', 'full'];
  if (!medialSchwaScripts.has(script)) return ['spoken'];
  // Kannada and Telugu say every schwa, but names from the north drop theirs (ಹೆಗಡೆ Hegde, ಕುಲಕರ್ಣಿ Kulkarni).
  if (script === 'kannada' || script === 'telugu') return ['full', 'spoken', 'compound'];
  const schwa: SchwaReading[] = ['spoken', 'compound', 'full'];
  return schwaSaidO.has(script) ? [...schwa, ...schwa.map((reading) => `${reading}-o` as const)] : schwa;
}

/** Scripts whose anusvara ends a word as m. */
const finalAnusvaraM: ReadonlySet<Script> = new Set(['malayalam', 'telugu', 'kannada']);

function romaniseBrahmic(word: string, script: Script, reading: Reading): string {
  const parts = syllables(word, script);
  deleteSchwas(parts, script, reading);
  if (reading.endsWith('-o') && schwaSaidO.has(script)) {
    for (const part of parts) {
      if (part.inherent) part.vowel = 'o';
      else if (part.vowel === 'ai') part.vowel = 'oi'; // গগৈ Gogoi
    }
  }
  if (script === 'tamil') tamilVoicing(parts, reading === 'full');
  let text = '';
  parts.forEach((part, index) => {
    text += part.consonants.join('') + part.vowel;
    // An anusvara is m before a lip consonant, and at the end of a Malayalam, Telugu or Kannada word
    // (ശ്യാം Shyam, సుబ్రహ్మణ్యం Subrahmanyam).
    const next = parts[index + 1];
    if (part.nasal) text += /^[pbm]/.test(next?.consonants[0] ?? '') || (!next && finalAnusvaraM.has(script)) ? 'm' : 'n';
  });
  return text.replace(/ksh|kss/g, 'ksh');
}

const arabicLetters: Record<string, string> = {
  'ا': 'a', 'آ': 'a', 'أ': 'a', 'إ': 'i', 'ب': 'b', 'پ': 'p', 'ت': 't', 'ٹ': 't', 'ث': 's', 'ج': 'j', 'چ': 'ch', 'ح': 'h', 'خ': 'kh',
  'د': 'd', 'ڈ': 'd', 'ذ': 'z', 'ر': 'r', 'ڑ': 'r', 'ز': 'z', 'ژ': 'zh', 'س': 's', 'ش': 'sh', 'ص': 's', 'ض': 'z', 'ط': 't', 'ظ': 'z',
  'ع': '', 'غ': 'gh', 'ف': 'f', 'ق': 'q', 'ک': 'k', 'ك': 'k', 'گ': 'g', 'ل': 'l', 'م': 'm', 'ن': 'n', 'ں': 'n', 'و': 'w', 'ہ': 'h',
  'ه': 'h', 'ھ': 'h', 'ۃ': 'a', 'ة': 'a', 'ی': 'y', 'ي': 'y', 'ى': 'a', 'ے': 'e', 'ئ': 'y', 'ء': '',
};

/**
 * Urdu: consonants as written; و and ی as vowels after a consonant; a short a guessed between two
 * consonants; a first ع as the vowel it carries (علی Ali, عنبرین Ambreen), silent elsewhere; a last ہ
 * after a consonant as the a it spells (طلحہ Talha, صبیحہ Sabiha).
 */
function romaniseArabic(word: string): string {
  const chars = [...word].filter((char) => arabicLetters[char] !== undefined);
  if (chars.map((char) => arabicLetters[char]).join('') === 'mhmd') return 'mohammad';
  let text = '';
  // Whether the last sound written is a vowel (or nothing is written yet): no a goes before the next.
  let afterVowel = true;
  chars.forEach((char, index) => {
    const sound = arabicLetters[char]!;
    if (char === 'ع') {
      if (index === 0) text += 'a';
      return;
    }
    if (sound === '') return;
    if (index > 0 && index === chars.length - 1 && /^[ہهۃة]$/.test(char)) {
      if (!afterVowel) text += 'a';
      afterVowel = true;
      return;
    }
    if ((sound === 'w' || sound === 'y') && !afterVowel) {
      text += sound === 'w' ? 'o' : 'i';
      afterVowel = true;
      return;
    }
    if (/^[aeiou]$/.test(sound)) {
      text += sound;
      afterVowel = true;
      return;
    }
    if (!afterVowel && !text.endsWith('a')) text += 'a';
    text += sound;
    afterVowel = false;
  });
  return text;
}

/**
 * The consonants an Urdu word writes, in Latin letters and each after an a (so that the phonetic key
 * reads جہاں as j-h, not the aspirate jh), for consonantSkeleton: a و between letters is a vowel
 * (نور, Noor) or a v (جاوید, Javed), so both come back (at most eight forms); ی, ا, ع and a last ہ
 * spell vowels and are left out; ھ marks the consonant before it as aspirated.
 */
export function arabicConsonants(word: string): string[] {
  const chars = [...word].filter((char) => arabicLetters[char] !== undefined);
  let forms = [''];
  const add = (sound: string) => (forms = forms.map((form) => (form ? `${form}a${sound}` : sound)));
  chars.forEach((char, index) => {
    const sound = arabicLetters[char]!;
    if (char === 'ھ') forms = forms.map((form) => `${form}h`);
    else if (char === 'و' && index > 0 && forms.length < 8) forms = forms.flatMap((form) => [form, form ? `${form}aw` : 'w']);
    else if (char === 'و') add('w');
    else if (index === 0 && (char === 'ی' || char === 'ي')) add('y');
    else if (/^[aeiouy]?$/.test(sound) || (/^[ہهۃة]$/.test(char) && index === chars.length - 1)) return;
    else add(sound);
  });
  return [...new Set(forms)];
}

/**
 * The text with each vocalic r (ऋ, the sign ृ, in any of the Brahmic scripts) written as r with u, or
 * null when it has none: Hindi says कृपा kripa, but Marathi, Gujarati, Odia and the south say it
 * krupa (Trupti, Amruta, Krushna, Prudhvi), and a name may be spelt either way.
 */
export function withVocalicRAsRu(text: string): string | null {
  let changed = false;
  let result = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    const base = code >= 0x0900 && code < 0x0d80 ? code - ((code - 0x0900) % 0x80) : -1;
    const offset = code - base;
    if (base >= 0 && offset === 0x43) result += String.fromCodePoint(base + 0x4d, base + 0x30, base + 0x41);
    else if (base >= 0 && offset === 0x0b) result += String.fromCodePoint(base + 0x30, base + 0x41);
    else {
      result += char;
      continue;
    }
    changed = true;
  }
  return changed ? result : null;
}

/** A word or name in any supported script, in lowercase clerks' Latin; Latin text is returned as is. */
export function toLatin(text: string, reading?: Reading): string {
  return text
    .split(/(\s+)/)
    .map((word) => {
      const script = detectScript(word);
      if (script === 'arabic') return romaniseArabic(word);
      if (script === 'latin' || script === 'other') return word;
      return romaniseBrahmic(word, script, reading ?? readingsOf(script)[0]!);
    })
    .join('')
    .toLowerCase();
}
