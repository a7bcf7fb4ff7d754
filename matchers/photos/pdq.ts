// Meta's PDQ perceptual hash (256 bits), as facebook/ThreatExchange pdq/cpp computes it: luminance,
// a two-pass Jarosz box filter (a tent), decimation to 64x64, the 16x16 low-frequency corner of the
// DCT, one bit per coefficient above the median. Pure: pixels in, hash out; decoding is the caller's.

/** Distance at or under which two PDQ hashes are taken to be the same picture (Meta's usual 31). */
export const PDQ_MATCH_DISTANCE = 31;
/** Below this quality a hash carries no evidence: flat, tiny or featureless pictures (Meta uses 50). */
export const PDQ_MIN_QUALITY = 50;
/** Shorter sides under this many pixels give quality 0: the 64x64 downsample would be an enlargement. */
export const PDQ_MIN_EVIDENCE_SIDE = 32;

// The reference refuses anything smaller: all-zero hash, quality 0.
const MIN_HASHABLE_SIDE = 5;
const JAROSZ_PASSES = 2;

export interface PixelImage {
  /** Row-major, `channels` bytes a pixel: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA (alpha ignored). */
  pixels: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

export const dihedralNames = ['original', 'rotate90', 'rotate180', 'rotate270', 'flipX', 'flipY', 'flipPlus1', 'flipMinus1'] as const;
export type Dihedral = (typeof dihedralNames)[number];

export interface PdqHash {
  /** 64 lowercase hex characters, the reference tool's word order. */
  hash: string;
  /** 0..100; under PDQ_MIN_QUALITY the hash is no evidence. */
  quality: number;
  /** The hash of the picture turned or mirrored each of the eight ways (`original` is `hash`). */
  variants: Record<Dihedral, string>;
}

/** PDQ hash, quality and the eight dihedral variants of a decoded picture. */
export function pdqHash(image: PixelImage): PdqHash {
  const { width, height } = image;
  if (width < MIN_HASHABLE_SIDE || height < MIN_HASHABLE_SIDE) {
    const zero = '0'.repeat(64);
    return { hash: zero, quality: 0, variants: Object.fromEntries(dihedralNames.map((name) => [name, zero])) as Record<Dihedral, string> };
  }
  const luma = lumaOf(image);
  const scratch = new Float32Array(luma.length);
  jaroszFilter(luma, scratch, height, width, windowSize(width), windowSize(height));
  const small = decimateTo64(luma, height, width);
  const quality = Math.min(width, height) < PDQ_MIN_EVIDENCE_SIDE ? 0 : qualityOf(small);
  const dct = dct64To16(small);
  const variants = {} as Record<Dihedral, string>;
  for (const name of dihedralNames) variants[name] = wordsToHex(bitsAboveMedian(dihedralDct(dct, name)));
  return { hash: variants.original, quality, variants };
}

function lumaOf({ pixels, width, height, channels }: PixelImage): Float32Array {
  const luma = new Float32Array(width * height);
  if (pixels.length < luma.length * channels) throw new RangeError(`pdq: ${pixels.length} bytes is too few for ${width}x${height}x${channels}`);
  for (let p = 0, o = 0; p < luma.length; p++, o += channels) {
    luma[p] = channels >= 3 ? 0.299 * pixels[o]! + 0.587 * pixels[o + 1]! + 0.114 * pixels[o + 2]! : pixels[o]!;
  }
  return luma;
}

// Two passes of half a 64th of the side each: together one output pixel's whole block.
const windowSize = (side: number) => Math.trunc((side + 2 * 64 - 1) / (2 * 64));

function jaroszFilter(buffer1: Float32Array, buffer2: Float32Array, rows: number, cols: number, alongRows: number, alongCols: number) {
  for (let pass = 0; pass < JAROSZ_PASSES; pass++) {
    for (let i = 0; i < rows; i++) box1D(buffer1, buffer2, i * cols, cols, 1, alongRows);
    boxAlongCols(buffer2, buffer1, rows, cols, alongCols);
  }
}

// box1D down every column at once, a row at a time, so memory is read in order. Same sums in the
// same order: output row o averages input rows o - (window - half) .. o + half - 1 that exist.
function boxAlongCols(input: Float32Array, output: Float32Array, rows: number, cols: number, fullWindow: number) {
  const halfWindow = Math.trunc((fullWindow + 2) / 2);
  const sums = new Float32Array(cols);
  const reach = fullWindow - halfWindow;
  let size = 0;
  for (let r = 0; r < halfWindow - 1; r++, size++) {
    for (let j = 0, k = r * cols; j < cols; j++, k++) sums[j]! += input[k]!;
  }
  for (let o = 0; o < rows; o++) {
    const added = o + halfWindow - 1;
    const dropped = o - reach - 1;
    if (added < rows) {
      for (let j = 0, k = added * cols; j < cols; j++, k++) sums[j]! += input[k]!;
      size++;
    }
    if (dropped >= 0) {
      for (let j = 0, k = dropped * cols; j < cols; j++, k++) sums[j]! -= input[k]!;
      size--;
    }
    for (let j = 0, k = o * cols; j < cols; j++, k++) output[k] = sums[j]! / size;
  }
}

// A centred running mean whose window shrinks at the ends, in float32 like the reference.
function box1D(input: Float32Array, output: Float32Array, start: number, length: number, stride: number, fullWindow: number) {
  const halfWindow = Math.trunc((fullWindow + 2) / 2);
  let left = start;
  let right = start;
  let out = start;
  let sum = 0;
  let size = 0;
  for (let i = 0; i < halfWindow - 1; i++, right += stride, size++) sum = Math.fround(sum + input[right]!);
  for (let i = 0; i < fullWindow - halfWindow + 1; i++, right += stride, out += stride) {
    sum = Math.fround(sum + input[right]!);
    output[out] = sum / ++size;
  }
  for (let i = 0; i < length - fullWindow; i++, left += stride, right += stride, out += stride) {
    sum = Math.fround(Math.fround(sum + input[right]!) - input[left]!);
    output[out] = sum / size;
  }
  for (let i = 0; i < halfWindow - 1; i++, left += stride, out += stride) {
    sum = Math.fround(sum - input[left]!);
    output[out] = sum / --size;
  }
}

// Sample the filtered picture at the centres of a 64x64 grid.
function decimateTo64(input: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(64 * 64);
  for (let i = 0; i < 64; i++) {
    const inI = Math.trunc(((i + 0.5) * rows) / 64);
    for (let j = 0; j < 64; j++) out[i * 64 + j] = input[inI * cols + Math.trunc(((j + 0.5) * cols) / 64)]!;
  }
  return out;
}

// The reference's heuristic: the sum of quantised neighbour differences, scaled and capped at 100.
function qualityOf(small: Float32Array): number {
  let gradientSum = 0;
  for (let i = 0; i < 63; i++) {
    for (let j = 0; j < 64; j++) gradientSum += Math.abs(Math.trunc(((small[i * 64 + j]! - small[(i + 1) * 64 + j]!) * 100) / 255));
  }
  for (let i = 0; i < 64; i++) {
    for (let j = 0; j < 63; j++) gradientSum += Math.abs(Math.trunc(((small[i * 64 + j]! - small[i * 64 + j + 1]!) * 100) / 255));
  }
  return Math.min(100, Math.trunc(gradientSum / 90));
}

// Rows 1..16 of the 64-point DCT-II basis (row 0, the mean, carries nothing PDQ wants).
const dctMatrix = (() => {
  const matrix = new Float32Array(16 * 64);
  const scale = Math.sqrt(2 / 64);
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 64; j++) matrix[i * 64 + j] = scale * Math.cos((Math.PI / 2 / 64) * (i + 1) * (2 * j + 1));
  }
  return matrix;
})();

// B = D A Dᵀ, computing only the 16x16 corner that the hash uses.
function dct64To16(a: Float32Array): Float32Array {
  const t = new Float32Array(16 * 64);
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 64; j++) {
      let sum = 0;
      for (let k = 0; k < 64; k++) sum += dctMatrix[i * 64 + k]! * a[k * 64 + j]!;
      t[i * 64 + j] = sum;
    }
  }
  const b = new Float32Array(16 * 16);
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 16; j++) {
      let sum = 0;
      for (let k = 0; k < 64; k++) sum += t[i * 64 + k]! * dctMatrix[j * 64 + k]!;
      b[i * 16 + j] = sum;
    }
  }
  return b;
}

// Turning or mirroring the picture transposes the DCT and/or negates its odd rows or columns,
// so the eight variants need no second pass over the pixels (the reference's dct16OriginalTo*).
const dihedralRules: Record<Dihedral, { transpose: boolean; negate: (i: number, j: number) => boolean }> = {
  original: { transpose: false, negate: () => false },
  rotate90: { transpose: true, negate: (_i, j) => (j & 1) === 0 },
  rotate180: { transpose: false, negate: (i, j) => ((i + j) & 1) === 1 },
  rotate270: { transpose: true, negate: (i) => (i & 1) === 0 },
  flipX: { transpose: false, negate: (i) => (i & 1) === 0 },
  flipY: { transpose: false, negate: (_i, j) => (j & 1) === 0 },
  flipPlus1: { transpose: true, negate: () => false },
  flipMinus1: { transpose: true, negate: (i, j) => ((i + j) & 1) === 1 },
};

function dihedralDct(dct: Float32Array, name: Dihedral): Float32Array {
  const { transpose, negate } = dihedralRules[name];
  const out = new Float32Array(256);
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 16; j++) {
      const value = dct[i * 16 + j]!;
      out[transpose ? j * 16 + i : i * 16 + j] = negate(i, j) ? -value : value;
    }
  }
  return out;
}

// Bit k (row-major over the 16x16) lives in 16-bit word k >> 4, bit k & 15; the hex form prints
// word 15 first. Packed here as eight 32-bit words in hex order: word 15 and 14 in the first.
function bitsAboveMedian(dct: Float32Array): Uint32Array {
  const median = torbenMedian(dct);
  const words = new Uint32Array(8);
  for (let k = 0; k < 256; k++) {
    if (dct[k]! <= median) continue;
    const slot = 15 - (k >> 4);
    words[slot >> 1]! |= 1 << ((k & 15) + ((slot & 1) === 0 ? 16 : 0));
  }
  return words;
}

// Torben's median without sorting; for an even count it returns the lower middle, as the reference does.
function torbenMedian(values: Float32Array): number {
  let min = Infinity;
  let max = -Infinity;
  for (const value of values) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  const half = Math.trunc((values.length + 1) / 2);
  for (;;) {
    const guess = Math.fround((min + max) / 2);
    let less = 0;
    let greater = 0;
    let equal = 0;
    let maxBelow = min;
    let minAbove = max;
    for (const value of values) {
      if (value < guess) {
        less++;
        if (value > maxBelow) maxBelow = value;
      } else if (value > guess) {
        greater++;
        if (value < minAbove) minAbove = value;
      } else equal++;
    }
    if (less <= half && greater <= half) return less >= half ? maxBelow : less + equal >= half ? guess : minAbove;
    if (less > greater) max = maxBelow;
    else min = minAbove;
  }
}

/** The 256 bits as eight 32-bit words, first word = first eight hex characters. */
export function hexToWords(hex: string): Uint32Array {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new RangeError(`pdq: not a 64-hex-character hash: "${hex}"`);
  const words = new Uint32Array(8);
  for (let w = 0; w < 8; w++) words[w] = Number.parseInt(hex.slice(w * 8, w * 8 + 8), 16);
  return words;
}

export function wordsToHex(words: Uint32Array): string {
  let hex = '';
  for (const word of words) hex += word.toString(16).padStart(8, '0');
  return hex;
}

export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Number of differing bits, on hex strings or packed words. */
export function hammingDistance(a: string | Uint32Array, b: string | Uint32Array): number {
  const x = typeof a === 'string' ? hexToWords(a) : a;
  const y = typeof b === 'string' ? hexToWords(b) : b;
  let distance = 0;
  for (let w = 0; w < 8; w++) distance += popcount32((x[w]! ^ y[w]!) >>> 0);
  return distance;
}

/** The smallest distance from `query` to any of a picture's eight variants, and which one. */
export function nearestVariant(query: string, variants: Record<Dihedral, string>): { variant: Dihedral; distance: number } {
  let best: { variant: Dihedral; distance: number } = { variant: 'original', distance: Infinity };
  for (const name of dihedralNames) {
    const distance = hammingDistance(query, variants[name]);
    if (distance < best.distance) best = { variant: name, distance };
  }
  return best;
}
