// A phonetic key made for Indian names as clerks spell them: aspirates, v/w/b, sh/s, z/j, x/ksh,
// ph/f, long vowels, doubled letters and a final a all fold together, so that "Lakshmi", "Laxmi" and
// the transliteration of लछमी meet, while different names mostly stay apart.
const rules: [RegExp, string][] = [
  [/[^a-z]/g, ''],
  // ah before a consonant is said, and often written, eh (Mehtab, महताब; Rehman, रहमान; Mehak).
  [/eh(?=[^aeiou])/g, 'ah'],
  // ज्ञ is written as it is said in each region: gy in Hindi (Gyan, Pragya, Yagya), dny or jny in
  // Marathi (Dnyaneshwar), jn as transliterated (jnan, prajna). Not gn (Gujarati's Jignesh): that is
  // also a cluster of its own (Vignesh, Agni), and Tamil names met their Latin spellings on it.
  [/dny|jny?/g, 'gy'],
  // Telugu and Kannada -య్య, -ಯ್ಯ are written -aiah as often as -ayya (Ramaiah, Ramayya).
  [/aiah$/, 'ayya'],
  [/^y/, 'j'],
  // A c before e, i, y is an s (Jincy, Vincent, Lucy).
  [/c(?=[eiy])/g, 's'],
  [/ck|q|c(?!h)/g, 'k'],
  // क्ष is said छ in much of the north (Lakshmi, Lachhmi): one sound class with ch; Tamil writes it
  // ட்ச (Latchumi).
  [/ksh|ks|x|tchh|tch|chh|ch/g, 'c'],
  [/sh/g, 's'],
  // zh is Tamil and Malayalam ழ, written l as often (Pazhani, Palani; Thamizh, Tamil).
  [/zh/g, 'l'],
  [/z/g, 'j'],
  [/ph|f/g, 'p'],
  [/([kgjtdpb])h/g, '$1'],
  // ow before a consonant is the diphthong au, as the south writes ఔ and ಔ (Gowtham, Gowda, Sowmya,
  // Chowdhury), not a w.
  [/ow(?![aeiou])/g, 'au'],
  [/[vw]/g, 'b'],
  // An anusvara is written m or n before these (Sangram / Samgram, Samhita / Sanhita).
  [/m(?=[kgsh])/g, 'n'],
  // A Punjabi -inder, -ender is written -indar in Devanagari (Harinder, Surender, Chander).
  [/(?<=[^aeiou])er(?=[^aeiou]|$)/g, 'ar'],
  [/ee|ii|ie/g, 'i'],
  // After the long vowels: Dayamayee is दयामयी's dayamayi.
  [/yi/g, 'i'],
  [/iy(?=[aeiou])/g, 'i'],
  [/oo|uu/g, 'u'],
  [/au|ou|ow/g, 'o'],
  // ay before a consonant is the ai of Jai- (Jaideep, जयदीप jaydip; Jaishree, जयश्री).
  [/ai|ei|ay(?![aeiou])/g, 'e'],
  // A last e after or is not said (Kishore, Rathore: किशोर, राठौर).
  [/(?<=or)e$/, ''],
  [/aa/g, 'a'],
  [/(.)\1+/g, '$1'],
  [/([^aeiou])h$/g, '$1'],
  // A last i after a consonant is often written y (Shetty, Reddy, Mohanty).
  [/(?<=[^aeiou])y$/, 'i'],
  [/ah$/, 'a'],
  [/(?<=.{2})a$/, ''],
  // A last ey is the e of the Hindi belt's surnames (Dubey, Pandey: दुबे, पांडे); last, so that
  // -eya names, whose final a went just above, meet their Devanagari too (Aditeya, आदितेय).
  [/ey$/, 'e'],
];

// Registers repeat the same few thousand name parts: each is keyed once (twenty regular expressions).
const known = new Map<string, string>();

export function phoneticKey(token: string): string {
  const hit = known.get(token);
  if (hit !== undefined) return hit;
  const key = keyOf(token);
  if (known.size >= 100_000) known.clear();
  known.set(token, key);
  return key;
}

/**
 * phoneticKey, not remembered: for a word seldom seen twice (two parts of one name joined, as
 * "Jai Prakash" may be written), which would only push the name parts out of the memo.
 */
export function keyOf(token: string): string {
  let key = token.toLowerCase();
  for (const [pattern, replacement] of rules) key = key.replace(pattern, replacement);
  return key;
}

/**
 * A phonetic key's consonants: what a name written without its short vowels still shows. Urdu
 * writes شبنم for Shabnam and رضوان for Rizwan; no guess of the vowels is right for every name, but
 * the consonants agree (sbnm, rjbn). y goes with the vowels it mostly spells (ی in زینب, Zainab).
 */
export function consonantSkeleton(key: string): string {
  return key.replace(/[aeiouy]/g, '').replace(/[gdbj]/g, (letter) => voiceless[letter]!).replace(/(.)\1+/g, '$1');
}

/**
 * Voiced stops as their voiceless ones, in skeletons only: Tamil writes one letter for both (தீபா is
 * Deepa, கணேசன் Ganesan), so a Tamil name meets its Latin spelling on these.
 */
const voiceless: Record<string, string> = { g: 'k', d: 't', b: 'p', j: 'c' };
