// Robustness of photo hashes: procedurally drawn scenes (no people), each altered the ways a photo
// is altered between a missing report and a found child's record; per hasher, the share of altered
// copies found at a threshold that lets at most 1 in 10,000 pairs of different pictures through.
//   npx tsx bench/photos.ts [scenes]
import { createRequire } from 'node:module';
import sharp from 'sharp';
import imghash from 'imghash';
import { bmvbhash } from 'blockhash-core';
import { hammingDistance, nearestVariant, type PdqHash } from '../matchers/photos/pdq.ts';
import { pdqHashOfImage } from '../src/photos/pdq-image.ts';
import { Random } from '../fixtures/synth/random.ts';

// sharp-phash is CommonJS whose types claim an ES default export; load it as what it is.
const require = createRequire(import.meta.url);
const phash = require('sharp-phash') as (image: Buffer) => Promise<string>;
const phashDistance = require('sharp-phash/distance') as (a: string, b: string) => number;

const scenes = Number(process.argv[2] ?? 120);
const maxFalsePositiveRate = 1e-4;

const seeded = new Random(7);
const random = () => seeded.next();
const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
const colour = () => `rgb(${between(0, 255)},${between(0, 255)},${between(0, 255)})`;

// A gradient sky, overlapping shapes of many sizes, soft blobs, then a coarse noise texture laid over.
async function scene(): Promise<Buffer> {
  const width = between(420, 960);
  const height = between(320, 800);
  const shapes: string[] = [];
  for (let i = 0; i < between(10, 30); i++) {
    const x = between(-50, width);
    const y = between(-50, height);
    const size = between(10, Math.floor(Math.min(width, height) * 0.6));
    const kind = random();
    if (kind < 0.35) shapes.push(`<circle cx="${x}" cy="${y}" r="${size / 2}" fill="${colour()}" opacity="${(0.5 + random() / 2).toFixed(2)}"/>`);
    else if (kind < 0.7) shapes.push(`<rect x="${x}" y="${y}" width="${size}" height="${between(10, size)}" fill="${colour()}" transform="rotate(${between(0, 90)} ${x} ${y})"/>`);
    else shapes.push(`<path d="M${x} ${y} Q${between(0, width)} ${between(0, height)} ${between(0, width)} ${between(0, height)} T${between(0, width)} ${between(0, height)}" stroke="${colour()}" stroke-width="${between(3, 40)}" fill="none"/>`);
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="g" x1="${random().toFixed(2)}" y1="0" x2="${random().toFixed(2)}" y2="1"><stop offset="0" stop-color="${colour()}"/><stop offset="1" stop-color="${colour()}"/></linearGradient>
    <filter id="b"><feGaussianBlur stdDeviation="${between(5, 30)}"/></filter></defs>
    <rect width="100%" height="100%" fill="url(#g)"/>
    <g filter="url(#b)"><ellipse cx="${between(0, width)}" cy="${between(0, height)}" rx="${between(40, 300)}" ry="${between(40, 300)}" fill="${colour()}"/></g>${shapes.join('')}</svg>`;
  const cell = between(4, 40);
  const noiseWidth = Math.ceil(width / cell);
  const noiseHeight = Math.ceil(height / cell);
  const noise = Buffer.from(Uint8Array.from({ length: noiseWidth * noiseHeight }, () => between(60, 196)));
  const texture = await sharp(noise, { raw: { width: noiseWidth, height: noiseHeight, channels: 1 } }).resize(width, height, { fit: 'fill' }).toColourspace('srgb').png().toBuffer();
  return sharp(Buffer.from(svg)).composite([{ input: texture, blend: 'soft-light' }]).jpeg({ quality: 92 }).toBuffer();
}

type Transformation = (picture: Buffer) => Promise<Buffer>;
const meta = async (picture: Buffer) => {
  const { width = 0, height = 0 } = await sharp(picture).metadata();
  return { width, height };
};
const transformations: Record<string, Transformation> = {
  'half size': async (p) => sharp(p).resize(Math.round((await meta(p)).width / 2)).jpeg({ quality: 90 }).toBuffer(),
  'JPEG q30': (p) => sharp(p).jpeg({ quality: 30 }).toBuffer(),
  'crop 10%': async (p) => {
    const { width, height } = await meta(p);
    return sharp(p).extract({ left: Math.round(width * 0.05), top: Math.round(height * 0.05), width: Math.round(width * 0.9), height: Math.round(height * 0.9) }).jpeg({ quality: 90 }).toBuffer();
  },
  'brighter': (p) => sharp(p).modulate({ brightness: 1.25 }).jpeg({ quality: 90 }).toBuffer(),
  'darker': (p) => sharp(p).modulate({ brightness: 0.75 }).jpeg({ quality: 90 }).toBuffer(),
  'contrast +30%': (p) => sharp(p).linear(1.3, -0.3 * 128).jpeg({ quality: 90 }).toBuffer(),
  'rotate 90': (p) => sharp(p).rotate(90).jpeg({ quality: 90 }).toBuffer(),
  'mirror': (p) => sharp(p).flop().jpeg({ quality: 90 }).toBuffer(),
  'border': async (p) => {
    const border = Math.round((await meta(p)).width * 0.06);
    return sharp(p).extend({ top: border, bottom: border, left: border, right: border, background: '#ffffff' }).jpeg({ quality: 90 }).toBuffer();
  },
  'print-and-scan': async (p) => {
    const { width, height } = await meta(p);
    const grain = Buffer.from(Uint8Array.from({ length: width * height }, () => between(110, 146)));
    const noise = await sharp(grain, { raw: { width, height, channels: 1 } }).toColourspace('srgb').png().toBuffer();
    return sharp(p).blur(1.5).gamma(1.4).modulate({ saturation: 0.8 }).composite([{ input: noise, blend: 'overlay' }]).jpeg({ quality: 70 }).toBuffer();
  },
};

interface Hasher {
  name: string;
  hash: (picture: Buffer) => Promise<unknown>;
  distance: (a: unknown, b: unknown) => number;
}
const hexDistance = (a: string, b: string) => {
  let distance = 0;
  for (let i = 0; i < a.length; i++) distance += popcount4(Number.parseInt(a[i]!, 16) ^ Number.parseInt(b[i]!, 16));
  return distance;
};
const popcount4 = (x: number) => (x & 1) + ((x >> 1) & 1) + ((x >> 2) & 1) + ((x >> 3) & 1);
const hashers: Hasher[] = [
  { name: 'PDQ (milap)', hash: pdqHashOfImage, distance: (a, b) => hammingDistance((a as PdqHash).hash, (b as PdqHash).hash) },
  { name: 'PDQ min of 8', hash: pdqHashOfImage, distance: (a, b) => nearestVariant((b as PdqHash).hash, (a as PdqHash).variants).distance },
  { name: 'sharp-phash', hash: (p) => phash(p), distance: (a, b) => phashDistance(a as string, b as string) },
  { name: 'imghash', hash: (p) => imghash.hash(p), distance: (a, b) => hexDistance(a as string, b as string) },
  {
    name: 'blockhash-core',
    hash: async (p) => {
      const { data, info } = await sharp(p).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      return bmvbhash({ width: info.width, height: info.height, data }, 16);
    },
    distance: (a, b) => hexDistance(a as string, b as string),
  },
];

// The largest threshold at which at most maxFalsePositiveRate of different-picture pairs fall.
function thresholdFor(differentPairs: number[]): number {
  const sorted = differentPairs.slice().sort((a, b) => a - b);
  const allowed = Math.floor(sorted.length * maxFalsePositiveRate);
  return sorted[allowed]! - 1;
}

async function main() {
  console.log(`drawing ${scenes} scenes and ${Object.keys(transformations).length} alterations of each…`);
  const originals: Buffer[] = [];
  for (let i = 0; i < scenes; i++) originals.push(await scene());
  const altered: Record<string, Buffer[]> = {};
  for (const [name, transform] of Object.entries(transformations)) altered[name] = await Promise.all(originals.map(transform));

  const rows: string[][] = [];
  const header = ['', ...hashers.map((h) => h.name)];
  const columns: Record<string, string>[] = [];
  for (const hasher of hashers) {
    const started = performance.now();
    const originalHashes: unknown[] = [];
    for (const picture of originals) originalHashes.push(await hasher.hash(picture));
    const alteredHashes: Record<string, unknown[]> = {};
    for (const name of Object.keys(transformations)) {
      alteredHashes[name] = [];
      for (const picture of altered[name]!) alteredHashes[name].push(await hasher.hash(picture));
    }
    const count = originals.length * (1 + Object.keys(transformations).length);
    const perSecond = (count / (performance.now() - started)) * 1000;
    // Different pictures: every original against every other scene's altered copies.
    const different: number[] = [];
    for (const name of Object.keys(transformations)) {
      for (let i = 0; i < scenes; i++) for (let j = 0; j < scenes; j++) if (i !== j) different.push(hasher.distance(originalHashes[i], alteredHashes[name]![j]));
    }
    const threshold = thresholdFor(different);
    const column: Record<string, string> = {};
    let found = 0;
    for (const name of Object.keys(transformations)) {
      const hits = alteredHashes[name]!.filter((hash, i) => hasher.distance(originalHashes[i], hash) <= threshold).length;
      found += hits;
      column[name] = `${((hits / scenes) * 100).toFixed(1)}%`;
    }
    const bits = hasher.name.startsWith('PDQ') || hasher.name === 'blockhash-core' ? 256 : 64;
    column['overall TPR'] = `${((found / (scenes * Object.keys(transformations).length)) * 100).toFixed(1)}%`;
    column['threshold (bits)'] = `${threshold} of ${bits}`;
    column['different pairs'] = `${different.length}`;
    column['hashes/s'] = perSecond.toFixed(0);
    columns.push(column);
    console.log(`  ${hasher.name}: done (${perSecond.toFixed(0)} hashes/s)`);
  }
  for (const key of [...Object.keys(transformations), 'overall TPR', 'threshold (bits)', 'different pairs', 'hashes/s']) rows.push([key, ...columns.map((c) => c[key]!)]);
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => row[i]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | ')} |`;
  console.log(`\nTPR at FPR ≤ ${maxFalsePositiveRate} (${scenes} scenes)\n`);
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
}

await main();
