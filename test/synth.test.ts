// The synthetic world: the same world for the same seed, records CONTRACT.md accepts, true pairs
// that point at real records, and every kind of register slip present at a realistic scale.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { regions } from '../fixtures/synth/names.ts';
import { clerkSpelling, noiseKinds, swapDayMonth, typingSlip } from '../fixtures/synth/noise.ts';
import { Random } from '../fixtures/synth/random.ts';
import { generateWorld } from '../fixtures/synth/world.ts';
import { run } from '../src/cli/synth.ts';
import { foundChildSchema, missingReportSchema } from '../src/records/schema.ts';

const world = generateWorld({ missing: 5000, found: 2500, seed: 7 });

describe('generateWorld', () => {
  it('gives the same world for the same seed and another for another seed', () => {
    const again = generateWorld({ missing: 5000, found: 2500, seed: 7 });
    expect(JSON.stringify(again)).toBe(JSON.stringify(world));
    const other = generateWorld({ missing: 5000, found: 2500, seed: 8 });
    expect(other.missing[0]).not.toEqual(world.missing[0]);
  });

  it('writes every record as CONTRACT.md says, unknowns absent rather than empty or zero', () => {
    for (const report of world.missing) expect(missingReportSchema.safeParse(report).error?.issues ?? []).toEqual([]);
    for (const child of world.found) expect(foundChildSchema.safeParse(child).error?.issues ?? []).toEqual([]);
    const values = [...world.missing, ...world.found].flatMap((record) => Object.values(record));
    expect(values).not.toContain('');
    expect(values).not.toContain(0);
  });

  it('keeps refs unique and styled as FIRs and shelter registers write them', () => {
    expect(new Set(world.missing.map((r) => r.ref)).size).toBe(world.missing.length);
    expect(new Set(world.found.map((c) => c.ref)).size).toBe(world.found.length);
    for (const report of world.missing) expect(report.ref).toMatch(/^[A-Z]{2}-[A-Z0-9-]+\/FIR-\d+\/20\d\d$/);
    for (const child of world.found) expect(child.ref).toMatch(/^CCI-[A-Z]{2}-\d{5,}$/);
  });

  it('pairs each matched found child with one existing report, and leaves the others without one', () => {
    const missingRefs = new Set(world.missing.map((r) => r.ref));
    const foundRefs = new Set(world.found.map((c) => c.ref));
    for (const pair of world.truePairs) {
      expect(missingRefs.has(pair.missingRef)).toBe(true);
      expect(foundRefs.has(pair.foundRef)).toBe(true);
    }
    expect(new Set(world.truePairs.map((p) => p.foundRef)).size).toBe(world.truePairs.length);
    expect(new Set(world.truePairs.map((p) => p.missingRef)).size).toBe(world.truePairs.length);
    expect(world.truePairs.length).toBe(1500);
  });

  it('finds no child before the report of it was filed, except through a slip of the date', () => {
    const missingSince = new Map(world.missing.map((r) => [r.ref, r.missingSince]));
    const foundOn = new Map(world.found.map((c) => [c.ref, c.foundOn]));
    for (const pair of world.truePairs.filter((p) => !p.noise.includes('date-swapped'))) {
      expect(foundOn.get(pair.foundRef)! >= missingSince.get(pair.missingRef)!).toBe(true);
    }
  });

  it.each(noiseKinds)('makes the slip %s on some true pairs', (kind) => {
    expect(world.truePairs.some((pair) => pair.noise.includes(kind))).toBe(true);
  });

  it('writes many found children in a script other than Latin, in several scripts', () => {
    const blocks: [string, RegExp][] = [['Devanagari', /\p{Script=Deva}/u], ['Bengali', /\p{Script=Beng}/u], ['Odia', /\p{Script=Orya}/u], ['Gurmukhi', /\p{Script=Guru}/u],
      ['Gujarati', /\p{Script=Gujr}/u], ['Tamil', /\p{Script=Taml}/u], ['Telugu', /\p{Script=Telu}/u], ['Kannada', /\p{Script=Knda}/u], ['Malayalam', /\p{Script=Mlym}/u], ['Urdu', /\p{Script=Arab}/u]];
    const scripts = new Set(world.found.flatMap((c) => blocks.filter(([, pattern]) => pattern.test(c.name ?? '')).map(([script]) => script)));
    expect([...scripts].sort()).toEqual(blocks.map(([script]) => script).sort());
    const nonLatin = world.found.filter((c) => c.name && !/[A-Za-z]/.test(c.name)).length;
    expect(nonLatin / world.found.length).toBeGreaterThan(0.1);
  });

  it('shares common names among many children (Zipf-like popularity)', () => {
    const counts = new Map<string, number>();
    for (const report of world.missing) {
      const first = report.name.replace(/^(Md\.|Mohd\.|Mohammad|Sk\.|Km\.|Kumari|Baby|Master|Mst\.|[A-Z]\.)\s+/, '').split(' ')[0]!;
      counts.set(first, (counts.get(first) ?? 0) + 1);
    }
    const sorted = [...counts.values()].sort((a, b) => b - a);
    expect(sorted[0]).toBeGreaterThan(world.missing.length * 0.02);
    expect(sorted.filter((n) => n === 1).length).toBeGreaterThan(5);
    // Yet not so few names that look-alikes swamp the matching: two reports share a first name less
    // than one time in 300 (one in 170 with the shorter lists of before), still more often than in
    // a real register.
    const sharing = [...counts.values()].reduce((sum, n) => sum + (n / world.missing.length) ** 2, 0);
    expect(sharing).toBeLessThan(1 / 300);
  });

  it('writes honorifics, particles and aliases into reports', () => {
    const names = world.missing.map((r) => r.name);
    expect(names.some((n) => /^(Md\.|Mohd\.|Sk\.) /.test(n))).toBe(true);
    expect(names.some((n) => /^Km\. /.test(n))).toBe(true);
    expect(names.some((n) => / Kumari( |$)/.test(n))).toBe(true);
    expect(names.some((n) => /^\S+(kumari?|bhai|ben|singh|kaur)( |$)/.test(n))).toBe(true);
    expect(names.some((n) => / (@|urf) /.test(n))).toBe(true);
    expect(names.some((n) => / [sd]\/o /i.test(n))).toBe(true);
    expect(world.missing.some((r) => r.aliases?.length)).toBe(true);
  });
});

describe('the name lists', () => {
  it('hold over 1,500 given names per sex across the regions, nearly all with a native form', () => {
    expect(regions.map((r) => r.region)).toEqual(['hindi', 'muslim', 'bengal', 'odisha', 'punjab', 'gujarat', 'maharashtra', 'tamil', 'telugu', 'kannada', 'malayalam']);
    for (const sex of ['female', 'male'] as const) expect(regions.reduce((n, r) => n + r.female.length * Number(sex === 'female') + r.male.length * Number(sex === 'male'), 0)).toBeGreaterThan(1500);
    for (const region of regions) for (const name of [...region.female, ...region.male]) expect(name.native).not.toMatch(/[A-Za-z]/);
  });
});

describe('register slips', () => {
  const random = new Random(3);

  it.each(['Pooja', 'Lakshmi Kumari', 'Mohammad', 'Venkatesh'])('spells %s another way, still a name', (name) => {
    for (let i = 0; i < 50; i++) {
      const variant = clerkSpelling(name, random);
      expect(variant).not.toBe(name);
      expect(variant).toMatch(/^[A-Z][a-z]+( [A-Z][a-z]+)*$/);
    }
  });

  it('slips one key at a time', () => {
    for (let i = 0; i < 50; i++) expect(Math.abs(typingSlip('Krishnaveni', random).length - 11)).toBeLessThanOrEqual(1);
  });

  it.each([
    ['2024-03-07', '2024-07-03'],
    ['2024-03-13', null],
    ['2024-05-05', null],
  ])('swaps day and month of %s into %s', (date, swapped) => {
    expect(swapDayMonth(date)).toBe(swapped);
  });
});

describe('milap synth', () => {
  it('writes the three files and says what it wrote', async () => {
    const out = mkdtempSync(join(tmpdir(), 'milap-synth-'));
    expect(await run(['--missing', '50', '--found', '20', '--seed', '4', '--out', out])).toBe(0);
    const lines = (file: string) => readFileSync(join(out, file), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines('missing.jsonl')).toHaveLength(50);
    expect(lines('found.jsonl')).toHaveLength(20);
    expect(lines('pairs.jsonl')).toHaveLength(12);
    expect(lines('found.jsonl')).toEqual(generateWorld({ missing: 50, found: 20, seed: 4 }).found);
  });

  it.each([[['--missing', 'ten', '--found', '2']], [['--missing', '0', '--found', '2']], [['--found', '2']], [['--missing', '5', '--colour', 'red']], [['--missing', '5', 'extra']]])(
    'exits 2 on bad arguments %j',
    async (args) => {
      expect(await run(args)).toBe(2);
    },
  );
});
