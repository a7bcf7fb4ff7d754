// Dev check: our PDQ against the hashes Meta's reference tool gives for its regression images
// (../shared/data/pdq, read at run time, never copied). Clean images should land within a few bits.
//   npx tsx bench/pdq-reference.ts
// Two columns: "as-is" hashes the pixels as stored, full size, alpha dropped and no EXIF turn (what
// the reference tool sees); "milap" is pdqHashOfImage (upright, on white, ≤ 320 px). The reference
// ignores EXIF orientation, so exif-rotn/ is compared with milap's nearest dihedral variant.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { hammingDistance, nearestVariant, pdqHash, PDQ_MIN_QUALITY, type PdqHash } from '../matchers/photos/pdq.ts';
import { pdqHashOfImage } from '../src/photos/pdq-image.ts';

const root = join(import.meta.dirname, '..', '..', 'shared', 'data', 'pdq');
// As stored, only the decoder differs from the reference tool's: a few bits. milap's path also
// resamples big pictures to 320 px, which flips the few coefficients that sit on the median.
const limit = { asIs: 8, milap: 10 };

async function asStored(file: Buffer): Promise<PdqHash> {
  const { data, info } = await sharp(file).removeAlpha().toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  return pdqHash({ pixels: data, width: info.width, height: info.height, channels: 3 });
}

const summary = (values: number[]) => `max ${Math.max(...values)}, mean ${(values.reduce((a, b) => a + b, 0) / values.length).toFixed(2)}`;

async function main() {
  const csv = join(root, 'expected-pdq.csv');
  if (!existsSync(csv)) {
    console.log(`no reference data at ${root}; nothing to check`);
    return;
  }
  const expected = readFileSync(csv, 'utf8').trim().split('\n').map((line) => {
    const [hash = '', file = ''] = line.trim().split(',');
    return { hash, file };
  });
  const milap = new Map<string, PdqHash>();
  const asIs: number[] = [];
  const ours: number[] = [];
  let failures = 0;
  console.log('file'.padEnd(32), 'quality', ' as-is', ' milap', ' ms', ' milap hash');
  for (const { hash, file } of expected) {
    const bytes = readFileSync(join(root, file));
    const raw = await asStored(bytes);
    const started = performance.now();
    const mine = await pdqHashOfImage(bytes);
    const ms = performance.now() - started;
    milap.set(file, mine);
    const rawDistance = hammingDistance(raw.hash, hash);
    const ourDistance = file.startsWith('exif-rotn/') ? nearestVariant(hash, mine.variants).distance : hammingDistance(mine.hash, hash);
    const clean = raw.quality >= PDQ_MIN_QUALITY;
    const over = clean && (rawDistance > limit.asIs || ourDistance > limit.milap);
    if (clean) {
      asIs.push(rawDistance);
      ours.push(ourDistance);
    }
    if (over) failures++;
    const note = over ? '  <-- over limit' : clean ? '' : '  (quality under 50: no evidence, not checked)';
    console.log(file.padEnd(32), String(raw.quality).padStart(7), String(rawDistance).padStart(6), String(ourDistance).padStart(6), ms.toFixed(0).padStart(3), '', mine.hash + note);
  }
  console.log(`\nreference distance on ${asIs.length} clean images: as-is ${summary(asIs)}; milap ${summary(ours)}`);

  const original = milap.get('dih/bridge-1-original.jpg');
  if (original) {
    console.log('\ndih/: each file (milap) against the eight variants of bridge-1-original.jpg (milap)');
    for (const { file } of expected.filter((e) => e.file.startsWith('dih/'))) {
      const nearest = nearestVariant(milap.get(file)!.hash, original.variants);
      if (nearest.distance > limit.asIs) failures++;
      console.log(file.padEnd(32), nearest.variant.padEnd(11), nearest.distance, nearest.distance > limit.asIs ? '  <-- over limit' : '');
    }
  }
  const verdict = `as stored ≤ ${limit.asIs}, milap ≤ ${limit.milap}, dihedral ≤ ${limit.asIs} bits`;
  console.log(failures ? `\nFAIL: ${failures} checks over the limits (${verdict})` : `\nOK: every check within the limits (${verdict})`);
  process.exitCode = failures ? 1 : 0;
}

await main();
