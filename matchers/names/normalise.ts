// A written name split into what identifies the child: the given-name parts in Latin, initials,
// particles (Kumar, Kumari, Devi, Singh, Kaur, Begum, ...: their own signal, also of sex), aliases
// ("X @ Y", "X urf Y", "X alias Y"), and the relative named after "s/o", "d/o".
import { detectScript, toLatin, type Script } from './transliterate.ts';

export interface NameParts {
  script: Script;
  tokens: string[];
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
const particles = new Set([...femaleParticles, ...maleParticles].filter((word) => !['km', 'kum', 'kmr', 'smt', 'miss', 'selvi', 'tmt', 'master', 'mast', 'thiru', 'lal', 'rani'].includes(word)));
const canonical: Record<string, string> = {
  md: 'mohammad', mohd: 'mohammad', mohmmad: 'mohammad', mohammed: 'mohammad', muhammad: 'mohammad', muhammed: 'mohammad', mahamad: 'mohammad', mohamad: 'mohammad', mohammd: 'mohammad',
  sk: 'shaikh', sheikh: 'shaikh', shekh: 'shaikh', shaik: 'shaikh', seikh: 'shaikh',
};
const relationPattern = /\s(?:s\s*\/\s*o|d\s*\/\s*o|w\s*\/\s*o|c\s*\/\s*o|son of|daughter of|wife of|पुत्र|पुत्री|बेटा|बेटी|पुत्र श्री|पिता)\s/i;
const aliasPattern = /\s*@\s*|\s+(?:urf|urph|alias|उर्फ|ওরফে)\s+/i;
const deathWords = /(स्वर्गीय|स्व\.|मृत|late\b)/gi;

export function normaliseName(raw: string): NameParts {
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
  const words = main.replace(/[.,]/g, ' ').split(/[\s\-_/]+/).filter(Boolean);
  const parts: NameParts = { script, tokens: [], initials: [], particles: [], sexHint: null, aliases, relative };
  for (const word of words) {
    const latin = toLatin(word).replace(/[^a-z]/g, '');
    if (!latin) continue;
    const token = canonical[latin] ?? latin;
    if (femaleParticles.has(token)) parts.sexHint ??= 'female';
    else if (maleParticles.has(token)) parts.sexHint ??= 'male';
    if (particles.has(token)) parts.particles.push(token);
    else if (honorifics.has(token)) continue;
    else if (token.length === 1 || (word.length === 1 && script !== 'latin')) parts.initials.push(token[0]!);
    else parts.tokens.push(token);
  }
  return parts;
}
