// PDQ photo hashes: the same picture, re-saved, resized, turned or mirrored, stays within the match
// distance; a different picture is far; flat and tiny pictures carry no evidence; the hash index
// finds exactly what a brute-force scan finds.
import sharp, { type Sharp } from 'sharp';
import { describe, expect, it } from 'vitest';
import { PdqHashIndex } from '../../matchers/photos/hash-index.ts';
import { hammingDistance, hexToWords, nearestVariant, PDQ_MATCH_DISTANCE, PDQ_MIN_QUALITY, pdqHash, wordsToHex } from '../../matchers/photos/pdq.ts';
import { pdqHashOfImage } from '../../src/photos/pdq-image.ts';
import { random, scene } from '../helpers/pictures.ts';

describe('PDQ hash of a picture', () => {
  it('is the same every time the same picture is hashed', async () => {
    const picture = await scene(1);
    const first = await pdqHashOfImage(picture);
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
    expect((await pdqHashOfImage(picture)).hash).toBe(first.hash);
    expect(first.quality).toBeGreaterThanOrEqual(PDQ_MIN_QUALITY);
  });

  it('matches a copy re-saved as a low-quality JPEG at a smaller size', async () => {
    const picture = await scene(2);
    const copy = await sharp(picture).resize(300).jpeg({ quality: 40 }).toBuffer();
    const distance = hammingDistance((await pdqHashOfImage(picture)).hash, (await pdqHashOfImage(copy)).hash);
    expect(distance).toBeLessThanOrEqual(PDQ_MATCH_DISTANCE);
  });

  it('keeps different pictures far apart', async () => {
    const hashes = await Promise.all([3, 4, 5, 6, 7, 8].map(async (seed) => (await pdqHashOfImage(await scene(seed))).hash));
    const distances = hashes.flatMap((a, i) => hashes.slice(i + 1).map((b) => hammingDistance(a, b)));
    expect(Math.min(...distances)).toBeGreaterThan(PDQ_MATCH_DISTANCE);
    expect(distances.reduce((sum, d) => sum + d, 0) / distances.length).toBeGreaterThan(90);
  });

  it.each([
    ['turned a quarter clockwise', (s: Sharp) => s.rotate(90), 'rotate270'],
    ['turned upside down', (s: Sharp) => s.rotate(180), 'rotate180'],
    ['turned a quarter anticlockwise', (s: Sharp) => s.rotate(270), 'rotate90'],
    ['mirrored left to right', (s: Sharp) => s.flop(), 'flipY'],
    ['mirrored top to bottom', (s: Sharp) => s.flip(), 'flipX'],
    ['transposed', (s: Sharp) => s.rotate(90).flop(), 'flipMinus1'],
    ['transposed the other way', (s: Sharp) => s.rotate(270).flop(), 'flipPlus1'],
  ] as const)('finds the picture %s among the variants of the original', async (_case, transform, variant) => {
    // Not always exact: PDQ's even box windows and its sampling grid sit half a pixel off centre.
    const picture = await scene(9);
    const original = await pdqHashOfImage(picture);
    const changed = await pdqHashOfImage(await transform(sharp(picture)).png().toBuffer());
    expect(nearestVariant(changed.hash, original.variants)).toMatchObject({ variant });
    expect(hammingDistance(changed.hash, original.variants[variant])).toBeLessThanOrEqual(12);
    expect(hammingDistance(changed.hash, original.hash)).toBeGreaterThan(PDQ_MATCH_DISTANCE);
  });

  it('gives a flat grey picture and a tiny one a quality under the evidence threshold', async () => {
    const grey = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#808080' } }).png().toBuffer();
    expect((await pdqHashOfImage(grey)).quality).toBeLessThan(PDQ_MIN_QUALITY);
    const next = random(10);
    const noise = Uint8Array.from({ length: 20 * 20 * 3 }, () => Math.floor(next() * 256));
    expect(pdqHash({ pixels: noise, width: 20, height: 20, channels: 3 }).quality).toBeLessThan(PDQ_MIN_QUALITY);
    expect(pdqHash({ pixels: noise.subarray(0, 4 * 4 * 3), width: 4, height: 4, channels: 3 })).toMatchObject({ hash: '0'.repeat(64), quality: 0 });
  });

  it('reads hex in the reference order and counts differing bits', () => {
    const hash = 'f8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b22';
    expect(wordsToHex(hexToWords(hash))).toBe(hash);
    expect(hammingDistance(hash, hash)).toBe(0);
    expect(hammingDistance('0'.repeat(64), 'f'.repeat(64))).toBe(256);
    expect(hammingDistance('0'.repeat(63) + '3', '0'.repeat(64))).toBe(2);
  });
});

describe('PDQ hash index', () => {
  const next = random(11);
  const randomWords = () => Uint32Array.from({ length: 8 }, () => Math.floor(next() * 2 ** 32));
  const withFlips = (words: Uint32Array, bits: number) => {
    const copy = words.slice();
    const chosen = new Set<number>();
    while (chosen.size < bits) chosen.add(Math.floor(next() * 256));
    for (const bit of chosen) copy[bit >> 5]! ^= 1 << (bit & 31);
    return copy;
  };

  it('finds exactly the hashes a brute-force scan finds within the distance', () => {
    const index = new PdqHashIndex(16);
    const stored: Uint32Array[] = [];
    const queries = Array.from({ length: 40 }, randomWords);
    for (let id = 0; id < 3000; id++) {
      // Every third hash is planted near a query, at 0..40 bits; the rest are random.
      const words = id % 3 === 0 ? withFlips(queries[id % 40]!, Math.floor(next() * 41)) : randomWords();
      stored.push(words);
      index.add(id, words);
    }
    expect(index.size).toBe(3000);
    for (const maxDistance of [10, 31]) {
      for (const query of queries) {
        const expected = stored.map((words, id) => ({ id, distance: hammingDistance(words, query) })).filter((n) => n.distance <= maxDistance);
        const found = index.query(query, maxDistance);
        expect(found.map((n) => n.id).sort((a, b) => a - b)).toEqual(expected.map((n) => n.id));
        expect(found.every((n) => n.distance === hammingDistance(stored[n.id]!, query))).toBe(true);
      }
    }
    const planted = index.query(queries[0]!, 31);
    expect(planted.length).toBeGreaterThan(5);
  });

  it('finds a hash 31 bits away whose only near chunk is one bit off, whichever chunk and bit', () => {
    const query = randomWords();
    const index = new PdqHashIndex();
    for (let id = 0; id < 1000; id++) index.add(100_000 + id, randomWords());
    // Chunk c is the high (even c) or low half of word c >> 1; flip two bits in every other chunk.
    const flip = (words: Uint32Array, chunk: number, bit: number) => {
      words[chunk >> 1]! ^= 1 << ((chunk & 1 ? 0 : 16) + bit);
    };
    for (let chunk = 0; chunk < 16; chunk++) {
      for (let bit = 0; bit < 16; bit++) {
        const words = query.slice();
        for (let other = 0; other < 16; other++) {
          if (other === chunk) flip(words, other, bit);
          else [(bit + other) % 16, (bit + other + 5) % 16].forEach((b) => flip(words, other, b));
        }
        index.add(chunk * 16 + bit, words);
      }
    }
    const found = index.query(query, 31).filter((n) => n.id < 100_000);
    expect(found).toHaveLength(256);
    expect(found.every((n) => n.distance === 31)).toBe(true);
  });

  it('takes hex hashes, forgets removed ones and refuses distances it cannot guarantee', () => {
    const index = new PdqHashIndex();
    const words = randomWords();
    index.add(7, wordsToHex(words));
    index.add(8, withFlips(words, 31));
    index.add(9, withFlips(words, 33));
    expect(index.query(words, 31).map((n) => n.id)).toEqual([7, 8]);
    expect(index.remove(7)).toBe(1);
    expect(index.query(wordsToHex(words), 31)).toEqual([{ id: 8, distance: 31 }]);
    expect(index.size).toBe(2);
    expect(() => index.query(words, 32)).toThrow(RangeError);
  });
});
