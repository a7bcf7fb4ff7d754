// A phonetic key made for Indian names as clerks spell them: aspirates, v/w/b, sh/s, z/j, x/ksh,
// ph/f, long vowels, doubled letters and a final a all fold together, so that "Lakshmi", "Laxmi" and
// the transliteration of लछमी meet, while different names mostly stay apart.
const rules: [RegExp, string][] = [
  [/[^a-z]/g, ''],
  [/^y/, 'j'],
  [/ck|q|c(?!h)/g, 'k'],
  // क्ष is said छ in much of the north (Lakshmi, Lachhmi): one sound class with ch.
  [/ksh|ks|x|chh|ch/g, 'c'],
  [/sh|zh(?=[aeiou])/g, 's'],
  [/zh/g, 'l'],
  [/z/g, 'j'],
  [/ph|f/g, 'p'],
  [/([kgjtdpb])h/g, '$1'],
  [/[vw]/g, 'b'],
  // An anusvara is written m or n before these (Sangram / Samgram, Samhita / Sanhita).
  [/m(?=[kgsh])/g, 'n'],
  // A Punjabi -inder, -ender is written -indar in Devanagari (Harinder, Surender, Chander).
  [/(?<=[^aeiou])er(?=[^aeiou]|$)/g, 'ar'],
  [/ee|ii|ie|yi/g, 'i'],
  [/iy(?=[aeiou])/g, 'i'],
  [/oo|uu/g, 'u'],
  [/au|ou|ow/g, 'o'],
  [/ai|ei|ay$/g, 'e'],
  [/aa/g, 'a'],
  [/(.)\1+/g, '$1'],
  [/([^aeiou])h$/g, '$1'],
  [/ah$/, 'a'],
  [/(?<=.{2})a$/, ''],
];

export function phoneticKey(token: string): string {
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
  return key.replace(/[aeiouy]/g, '').replace(/(.)\1+/g, '$1');
}
