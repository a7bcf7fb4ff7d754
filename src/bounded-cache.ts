// A cache of at most `limit` entries that forgets the ones least recently used, in constant time.
//
// The obvious bounded Map (delete `map.keys().next().value` when full, then set) is slow in V8: a
// deleted entry leaves a hole at the front of the Map's table until the table is rebuilt, and every
// `keys().next()` walks over all the holes before it. At 100,000 entries one eviction took 75 µs,
// so a match worker with a full cache of prepared records paid that for each of the hundreds of
// records a match job prepares.
//
// Here entries live in two generations. New entries and hits go to the young one; when it holds half
// the limit, the old generation is dropped whole and the young one becomes old. An entry used within
// the last half-limit of insertions is always kept.
export class BoundedCache<K, V> {
  readonly #half: number;
  #young = new Map<K, V>();
  #old = new Map<K, V>();

  constructor(limit: number) {
    if (!(limit >= 2)) throw new RangeError(`a bounded cache needs a limit of at least 2, not ${limit}`);
    this.#half = Math.floor(limit / 2);
  }

  get(key: K): V | undefined {
    const young = this.#young.get(key);
    if (young !== undefined || this.#young.has(key)) return young;
    if (!this.#old.has(key)) return undefined;
    const old = this.#old.get(key) as V;
    this.#old.delete(key);
    this.#keep(key, old);
    return old;
  }

  set(key: K, value: V): this {
    if (this.#young.has(key)) this.#young.set(key, value);
    else {
      this.#old.delete(key);
      this.#keep(key, value);
    }
    return this;
  }

  delete(key: K): boolean {
    return this.#young.delete(key) || this.#old.delete(key);
  }

  clear(): void {
    this.#young = new Map();
    this.#old = new Map();
  }

  get size(): number {
    return this.#young.size + this.#old.size;
  }

  #keep(key: K, value: V) {
    if (this.#young.size >= this.#half) {
      this.#old = this.#young;
      this.#young = new Map();
    }
    this.#young.set(key, value);
  }
}
