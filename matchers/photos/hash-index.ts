// Every stored PDQ hash within d ≤ 31 bits of a query, without comparing against all of them:
// multi-index hashing. The 256 bits are cut into 16 chunks of 16 bits; if two hashes differ in at
// most 31 bits, some chunk differs in at most one (16 chunks x 2 bits = 32 > 31). So a query looks
// up, in each chunk's table, its own chunk value and the 16 values one bit away, and checks the
// hashes it finds with a full popcount. Storage is typed arrays, a few dozen bytes a hash.
import { hexToWords, popcount32 } from './pdq.ts';

const CHUNKS = 16;
const CHUNK_VALUES = 1 << 16;
/** Largest distance the one-bit neighbourhood of a chunk guarantees to find. */
export const HASH_INDEX_MAX_DISTANCE = 2 * CHUNKS - 1;

export interface HashNeighbour {
  id: number;
  distance: number;
}

// Chunk c: the high (even c) or low (odd c) 16 bits of word c >> 1.
const chunkOf = (words: Uint32Array, offset: number, c: number) => (c & 1 ? words[offset + (c >> 1)]! & 0xffff : words[offset + (c >> 1)]! >>> 16);

export class PdqHashIndex {
  #size = 0;
  #live = 0;
  #words: Uint32Array;
  #ids: Float64Array;
  #removed: Uint8Array;
  #seen: Uint32Array;
  #stamp = 0;
  // Per chunk, a singly linked list of slots per 16-bit value: heads[c * 65536 + value], next[slot * 16 + c].
  #heads = new Int32Array(CHUNKS * CHUNK_VALUES).fill(-1);
  #next: Int32Array;

  constructor(initialCapacity = 1024) {
    const capacity = Math.max(16, initialCapacity);
    this.#words = new Uint32Array(capacity * 8);
    this.#ids = new Float64Array(capacity);
    this.#removed = new Uint8Array(capacity);
    this.#seen = new Uint32Array(capacity);
    this.#next = new Int32Array(capacity * CHUNKS);
  }

  /** Hashes held (removed ones excluded). */
  get size(): number {
    return this.#live;
  }

  /** Bytes of typed-array storage, tables included. */
  get bytes(): number {
    return this.#words.byteLength + this.#ids.byteLength + this.#removed.byteLength + this.#seen.byteLength + this.#heads.byteLength + this.#next.byteLength;
  }

  /** Store a hash (64 hex characters or 8 packed words) under an integer id; ids may repeat. */
  add(id: number, hash: string | Uint32Array): void {
    if (!Number.isSafeInteger(id)) throw new RangeError(`hash index: id must be a safe integer, got ${id}`);
    const words = typeof hash === 'string' ? hexToWords(hash) : hash;
    if (words.length !== 8) throw new RangeError('hash index: a PDQ hash is 8 words');
    if (this.#size === this.#ids.length) this.#grow();
    const slot = this.#size++;
    this.#words.set(words, slot * 8);
    this.#ids[slot] = id;
    for (let c = 0; c < CHUNKS; c++) {
      const head = c * CHUNK_VALUES + chunkOf(words, 0, c);
      this.#next[slot * CHUNKS + c] = this.#heads[head]!;
      this.#heads[head] = slot;
    }
    this.#live++;
  }

  /** Forget every hash stored under `id`; returns how many. A scan: removals are rare. */
  remove(id: number): number {
    let removed = 0;
    for (let slot = 0; slot < this.#size; slot++) {
      if (this.#ids[slot] === id && !this.#removed[slot]) {
        this.#removed[slot] = 1;
        removed++;
      }
    }
    this.#live -= removed;
    return removed;
  }

  /** Every stored hash within `maxDistance` bits of `hash`, nearest first. */
  query(hash: string | Uint32Array, maxDistance: number): HashNeighbour[] {
    if (!Number.isInteger(maxDistance) || maxDistance < 0 || maxDistance > HASH_INDEX_MAX_DISTANCE) {
      throw new RangeError(`hash index: distance must be 0..${HASH_INDEX_MAX_DISTANCE}, got ${maxDistance}`);
    }
    const query = typeof hash === 'string' ? hexToWords(hash) : hash;
    const stamp = this.#nextStamp();
    const found: HashNeighbour[] = [];
    // Under 16 bits some chunk must agree exactly; otherwise some chunk is at most one bit off.
    const flips = maxDistance < CHUNKS ? 0 : 16;
    for (let c = 0; c < CHUNKS; c++) {
      const value = chunkOf(query, 0, c);
      for (let flip = -1; flip < flips; flip++) {
        let slot = this.#heads[c * CHUNK_VALUES + (flip < 0 ? value : value ^ (1 << flip))]!;
        while (slot >= 0) {
          if (this.#seen[slot] !== stamp) {
            this.#seen[slot] = stamp;
            if (!this.#removed[slot]) {
              const distance = this.#distanceTo(query, slot, maxDistance);
              if (distance <= maxDistance) found.push({ id: this.#ids[slot]!, distance });
            }
          }
          slot = this.#next[slot * CHUNKS + c]!;
        }
      }
    }
    return found.sort((a, b) => a.distance - b.distance || a.id - b.id);
  }

  // Stops counting once past the limit: most candidates are far.
  #distanceTo(query: Uint32Array, slot: number, limit: number): number {
    const words = this.#words;
    const base = slot * 8;
    let distance = 0;
    for (let w = 0; w < 8 && distance <= limit; w++) distance += popcount32((query[w]! ^ words[base + w]!) >>> 0);
    return distance;
  }

  #nextStamp(): number {
    if (this.#stamp === 0xffffffff) {
      this.#seen.fill(0);
      this.#stamp = 0;
    }
    return ++this.#stamp;
  }

  #grow() {
    const capacity = this.#ids.length * 2;
    const grown = <T extends Uint32Array | Float64Array | Uint8Array | Int32Array>(from: T, make: (n: number) => T, perSlot: number) => {
      const to = make(capacity * perSlot);
      to.set(from as never);
      return to;
    };
    this.#words = grown(this.#words, (n) => new Uint32Array(n), 8);
    this.#ids = grown(this.#ids, (n) => new Float64Array(n), 1);
    this.#removed = grown(this.#removed, (n) => new Uint8Array(n), 1);
    this.#seen = grown(this.#seen, (n) => new Uint32Array(n), 1);
    this.#next = grown(this.#next, (n) => new Int32Array(n), CHUNKS);
  }
}
