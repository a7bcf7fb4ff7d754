// The name matchers on real names they were not built from: the same names written in Roman and in
// Devanagari (8,729 Indian first names; 2,512 cricketers), read from ../shared/data, which the
// project does not ship. For each pair: whether the Devanagari side, transliterated by the
// matchers, shares a phonetic key with the Roman side (what blocking needs), and the level the
// name comparison gives (what the model weighs). The same figures for random pairs of different
// people show what agreement by chance costs.
//   npx tsx bench/real-names.ts [--data ../shared/data]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { compareNames, nameBlockingKeys, nameLevels, prepareName, type PreparedName } from '../matchers/names/compare.ts';
import { Random } from '../fixtures/synth/random.ts';

const { values } = parseArgs({ options: { data: { type: 'string', default: '../shared/data' } } });
const dataDir = values.data!;

interface Pair {
  roman: string;
  native: string;
}

function firstNames(): Pair[] {
  const lines = readFileSync(join(dataDir, 'indian-first-names.roman-devanagari.tsv'), 'utf8').trim().split('\n').slice(1);
  return lines.map((line) => line.split('\t')).filter((cells) => cells[0] && cells[1]).map(([roman, native]) => ({ roman: roman!.trim(), native: native!.trim() }));
}

function cricketers(): Pair[] {
  const players = JSON.parse(readFileSync(join(dataDir, 'cricketers.english-hindi.json'), 'utf8')) as { english_name?: string; hindi_name?: string }[];
  return players.filter((p) => p.english_name && p.hindi_name).map((p) => ({ roman: p.english_name!, native: p.hindi_name! }));
}

const levels = nameLevels;
const topLevels = new Set(['exact', 'phonetic']);

const seeded = new Random(17);
const random = () => seeded.next();

function measure(label: string, pairs: Pair[]) {
  const prepared = pairs
    .map((pair) => ({ roman: prepareName(pair.roman), native: prepareName(pair.native) }))
    .filter((p): p is { roman: PreparedName; native: PreparedName } => p.roman !== null && p.native !== null);
  const tally = (a: PreparedName, b: PreparedName, counts: Record<string, number>) => {
    counts[compareNames(a, b).level] = (counts[compareNames(a, b).level] ?? 0) + 1;
    const keysA = new Set(nameBlockingKeys(a));
    if (nameBlockingKeys(b).some((key) => keysA.has(key))) counts.sharedKey = (counts.sharedKey ?? 0) + 1;
  };
  const same: Record<string, number> = {};
  for (const { roman, native } of prepared) tally(roman, native, same);
  // Different people: each Roman name against the Devanagari name of another, drawn at random.
  const chance: Record<string, number> = {};
  const draws = Math.min(20_000, prepared.length * 4);
  for (let i = 0; i < draws; i++) {
    const a = prepared[Math.floor(random() * prepared.length)]!;
    const b = prepared[Math.floor(random() * prepared.length)]!;
    if (a === b || a.roman.tokens.join(' ') === b.roman.tokens.join(' ')) continue;
    tally(a.roman, b.native, chance);
  }
  const share = (counts: Record<string, number>, n: number, key: string) => `${((100 * (counts[key] ?? 0)) / n).toFixed(1)}%`;
  const chanceN = Object.entries(chance).filter(([k]) => k !== 'sharedKey').reduce((sum, [, v]) => sum + v, 0);
  const top = (counts: Record<string, number>) => levels.filter((level) => topLevels.has(level)).reduce((sum, level) => sum + (counts[level] ?? 0), 0);
  console.log(`\n${label}: ${prepared.length} names written both ways (${pairs.length - prepared.length} left out: nothing to compare)`);
  const rows = [
    ['shares a phonetic key (blocking)', share(same, prepared.length, 'sharedKey'), share(chance, chanceN, 'sharedKey')],
    ['exact or phonetic (the top levels)', `${((100 * top(same)) / prepared.length).toFixed(1)}%`, `${((100 * top(chance)) / chanceN).toFixed(1)}%`],
    ...levels.map((level) => [`  level ${level}`, share(same, prepared.length, level), share(chance, chanceN, level)]),
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i]!.length), ['', 'same person', `different (${chanceN})`][i]!.length));
  const line = (row: string[]) => `| ${row.map((cell, i) => (i ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join(' | ')} |`;
  console.log(line(['', 'same person', `different (${chanceN})`]));
  for (const row of rows) console.log(line(row));
}

measure('Indian first names, Roman and Devanagari', firstNames());
measure('cricketers, English and Hindi', cricketers());
