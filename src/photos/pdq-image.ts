// An image file → its PDQ hash, quality and dihedral variants. sharp decodes, turns the picture
// upright by its EXIF orientation and lays any transparency on white; matchers/photos/pdq.ts hashes.
import sharp from 'sharp';
import { pdqHash, type PdqHash } from '../../matchers/photos/pdq.ts';

/**
 * Sides longer than this are first reduced to exactly this, each side on its own (PDQ samples a
 * 64x64 grid whatever the aspect; Meta's tool squashes to 512x512 the same way). 320 = 5 x 64 makes
 * PDQ's box window odd (3) and its 64-point sampling grid symmetric, so a turned or mirrored copy
 * hashes to the matching dihedral variant exactly; at 512 or 448 the even window shifts the grid and
 * costs up to 18 bits. It also lets a large JPEG be decoded at a fraction of its size. Against Meta's
 * reference hashes: max 8, mean 4.3 bits (at 576: 10 and 4.4); bench/pdq-reference.ts checks it.
 */
export const PDQ_DECODE_SIDE = 320;

export async function pdqHashOfImage(input: Buffer): Promise<PdqHash> {
  const metadata = await sharp(input, { limitInputPixels: 100_000_000 }).metadata();
  const turned = (metadata.orientation ?? 1) >= 5;
  const width = (turned ? metadata.height : metadata.width) ?? PDQ_DECODE_SIDE;
  const height = (turned ? metadata.width : metadata.height) ?? PDQ_DECODE_SIDE;
  let pipeline = sharp(input, { limitInputPixels: 100_000_000 }).rotate().flatten({ background: '#ffffff' });
  if (width > PDQ_DECODE_SIDE || height > PDQ_DECODE_SIDE) {
    pipeline = pipeline.resize(Math.min(width, PDQ_DECODE_SIDE), Math.min(height, PDQ_DECODE_SIDE), { fit: 'fill', kernel: 'linear' });
  }
  const { data, info } = await pipeline.toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`pdq: expected 3 channels after decoding, got ${info.channels}`);
  return pdqHash({ pixels: data, width: info.width, height: info.height, channels: 3 });
}
