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
  const small = jaroszDownsample(luma, height, width);
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

/**
 * The Jarosz filter and the 64x64 sampling in one step, computing only the 64x64 values the hash
 * uses. Each pass is a linear running mean, rows and columns commute, so the filtered picture
 * sampled at (i, j) is sum_r sum_c V[i][r] * luma[r][c] * H[j][c], where H and V are the rows of two
 * passes of the running mean at the sampled positions: a few bytes of weights each, about a tenth
 * of the work of filtering every pixel. Agrees with the pixel-by-pixel filter to float32 rounding.
 */
function jaroszDownsample(luma: Float32Array, rows: number, cols: number): Float32Array {
  const across = samplingWeights(cols, windowSize(cols));
  const down = samplingWeights(rows, windowSize(rows));
  // Across each row first: 64 sampled columns per row.
  const partial = new Float64Array(rows * 64);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let j = 0; j < 64; j++) {
      const { start, weights } = across[j]!;
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += weights[k]! * luma[base + start + k]!;
      partial[r * 64 + j] = sum;
    }
  }
  const out = new Float32Array(64 * 64);
  for (let i = 0; i < 64; i++) {
    const { start, weights } = down[i]!;
    for (let j = 0; j < 64; j++) {
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += weights[k]! * partial[(start + k) * 64 + j]!;
      out[i * 64 + j] = sum;
    }
  }
  return out;
}

interface SampleWeights {
  start: number;
  weights: Float64Array;
}

const weightsCache = new Map<string, SampleWeights[]>();

/** For each of the 64 sampled positions along a side, the weights two running means give each input. */
function samplingWeights(length: number, fullWindow: number): SampleWeights[] {
  const key = `${length}:${fullWindow}`;
  const cached = weightsCache.get(key);
  if (cached) return cached;
  const halfWindow = Math.trunc((fullWindow + 2) / 2);
  const reach = fullWindow - halfWindow;
  // One pass: output o is the mean of inputs o - reach .. o + halfWindow - 1 that exist.
  const span = (o: number) => [Math.max(0, o - reach), Math.min(length - 1, o + halfWindow - 1)] as const;
  const result: SampleWeights[] = [];
  for (let i = 0; i < 64; i++) {
    const sampled = Math.trunc(((i + 0.5) * length) / 64);
    const [firstLo, firstHi] = span(sampled);
    const start = span(firstLo)[0];
    const weights = new Float64Array(span(firstHi)[1] - start + 1);
    for (let o = firstLo; o <= firstHi; o++) {
      const [lo, hi] = span(o);
      const share = 1 / ((firstHi - firstLo + 1) * (hi - lo + 1));
      for (let k = lo; k <= hi; k++) weights[k - start]! += share;
    }
    result.push({ start, weights });
  }
  if (weightsCache.size > 64) weightsCache.clear();
  weightsCache.set(key, result);
  return result;
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
