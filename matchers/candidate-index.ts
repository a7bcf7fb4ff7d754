// An inverted index of blocking keys for linking in memory: key → the records carrying it, sorted
// by the start of their birth interval, so a lookup walks only the records inside the age window
// (records without any age always come along). The database does the same with its indexes.
import type { BirthInterval } from './age.ts';
import { ageWindowYears, rankDateWeightOfDays } from './blocking.ts';
import type { PreparedRecord } from './prepare.ts';

const windowDays = ageWindowYears * 365.25;

/**
 * The postings of every key in a few flat arrays (key id → a slice of each), not five small arrays a
 * key: at 100,000 reports there are 600,000 keys, most carried by one record or two, and the typed
 * arrays' own overhead made the index ten times the size of its entries (801 MB against 83).
 */
export class CandidateIndex {
  private readonly ids = new Map<string, number>();
  /** Key id k's dated records are at datedAt[k] .. datedAt[k + 1] of `dated`, `starts`, `ends` and `sortedEnds`. */
  private readonly datedAt: Int32Array;
  /** Positions of records with a birth interval, each key's ordered by the interval's start. */
  private readonly dated: Int32Array;
  private readonly starts: Float64Array;
  /** Their interval ends, in the same order. */
  private readonly ends: Float64Array;
  /** The same records' interval ends, each key's sorted on their own: how many end before a window opens. */
  private readonly sortedEnds: Float64Array;
  /** Key id k's records without a birth interval are at undatedAt[k] .. undatedAt[k + 1] of `undated`. */
  private readonly undatedAt: Int32Array;
  private readonly undated: Int32Array;
  private readonly widestInterval: number;
  /** Scratch of rankedInWindow: each record's rank score, and the records given one. */
  private readonly rankScores: Int32Array;
  private readonly rankTouched: Int32Array;
  /** Each record's birth interval (NaN: none) and event day, for the dates' part of a rank score. */
  private readonly bornFrom: Float64Array;
  private readonly bornTo: Float64Array;
  private readonly eventDays: Float64Array;

  constructor(records: readonly PreparedRecord[], keysOf: (record: PreparedRecord) => string[]) {
    // Records are taken in the order of their birth interval's start (a stable sort: ties in position
    // order), so every key's records come out sorted: one sort of the records instead of one of each
    // key's list by a comparator reading its records (a tenth of a link's time).
    const byStart = Array.from(records.keys()).sort((a, b) => {
      const [x, y] = [records[a]!.birth, records[b]!.birth];
      return x && y ? x.from - y.from : x ? -1 : y ? 1 : 0;
    });
    // Two passes: count each key's records, then place them.
    const keyIdsOf: Int32Array[] = new Array(records.length);
    const datedCount: number[] = [];
    const undatedCount: number[] = [];
    for (const position of byStart) {
      const record = records[position]!;
      const keys = keysOf(record);
      const keyIds = new Int32Array(keys.length);
      keys.forEach((key, at) => {
        let id = this.ids.get(key);
        if (id === undefined) {
          id = datedCount.length;
          this.ids.set(key, id);
          datedCount.push(0);
          undatedCount.push(0);
        }
        keyIds[at] = id;
        if (record.birth) datedCount[id]!++;
        else undatedCount[id]!++;
      });
      keyIdsOf[position] = keyIds;
    }
    const keyCount = datedCount.length;
    this.datedAt = new Int32Array(keyCount + 1);
    this.undatedAt = new Int32Array(keyCount + 1);
    for (let id = 0; id < keyCount; id++) {
      this.datedAt[id + 1] = this.datedAt[id]! + datedCount[id]!;
      this.undatedAt[id + 1] = this.undatedAt[id]! + undatedCount[id]!;
    }
    this.dated = new Int32Array(this.datedAt[keyCount]!);
    this.starts = new Float64Array(this.dated.length);
    this.ends = new Float64Array(this.dated.length);
    this.undated = new Int32Array(this.undatedAt[keyCount]!);
    const datedNext = this.datedAt.slice(0, keyCount);
    const undatedNext = this.undatedAt.slice(0, keyCount);
    for (const position of byStart) {
      const birth = records[position]!.birth;
      for (const id of keyIdsOf[position]!) {
        if (!birth) {
          this.undated[undatedNext[id]!++] = position;
          continue;
        }
        const at = datedNext[id]!++;
        this.dated[at] = position;
        this.starts[at] = birth.from;
        this.ends[at] = birth.to;
      }
    }
    this.sortedEnds = this.ends.slice();
    for (let id = 0; id < keyCount; id++) if (this.datedAt[id + 1]! - this.datedAt[id]! > 1) this.sortedEnds.subarray(this.datedAt[id]!, this.datedAt[id + 1]!).sort();
    this.widestInterval = records.reduce((widest, r) => (r.birth ? Math.max(widest, r.birth.to - r.birth.from) : widest), 0);
    this.rankScores = new Int32Array(records.length);
    this.rankTouched = new Int32Array(records.length);
    this.bornFrom = Float64Array.from(records, (r) => r.birth?.from ?? NaN);
    this.bornTo = Float64Array.from(records, (r) => r.birth?.to ?? NaN);
    this.eventDays = Float64Array.from(records, (r) => r.eventDay);
  }

  keyId(key: string): number | undefined {
    return this.ids.get(key);
  }

  /** How many records carry the key, whatever their age. */
  size(keyId: number): number {
    return this.datedAt[keyId + 1]! - this.datedAt[keyId]! + this.undatedAt[keyId + 1]! - this.undatedAt[keyId]!;
  }

  /**
   * How many records carry the key and lie within the age window of `birth` (as ageWindowOverlaps
   * says; records without an age count too): the size the admission rule weighs. Two binary
   * searches: the intervals that start by the window's end, less those that end before it opens
   * (an interval ends after it starts, so those are among the first), as the service counts in SQL.
   */
  sizeInWindow(keyId: number, birth: BirthInterval | null): number {
    if (!birth) return this.size(keyId);
    const [first, last] = [this.datedAt[keyId]!, this.datedAt[keyId + 1]!];
    return this.undatedAt[keyId + 1]! - this.undatedAt[keyId]! + upperBound(this.starts, first, last, birth.to + windowDays) - lowerBound(this.sortedEnds, first, last, birth.from - windowDays);
  }

  /** Every record carrying the key whose birth interval may lie within the age window of `birth`. */
  forEachInWindow(keyId: number, birth: BirthInterval | null, visit: (position: number) => void): void {
    for (let at = this.undatedAt[keyId]!; at < this.undatedAt[keyId + 1]!; at++) visit(this.undated[at]!);
    const [from, to] = this.range(keyId, birth);
    for (let at = from; at < to; at++) visit(this.dated[at]!);
  }

  /**
   * Ranked admission (matchers/blocking.ts, rankedBest): the records carrying any of `keys` (key ids
   * with their rank weights) within the age window of `child`, each scored by the weights of the keys
   * it carries and by what the dates say (rankDateWeight); visits those scored above the (best + 1)-th
   * score, or every one when no more than `best` are reached. Returns that score, the child's rank
   * floor (0 when no more were reached).
   */
  rankedInWindow(keys: readonly { keyId: number; weight: number }[], child: PreparedRecord, best: number, visit: (position: number) => void): number {
    if (!keys.length) return 0;
    const scores = this.rankScores;
    const touched = this.rankTouched;
    let reached = 0;
    const add = (position: number, weight: number) => {
      if (scores[position] === 0) touched[reached++] = position;
      scores[position] = scores[position]! + weight;
    };
    const birth = child.birth;
    const { dated, starts, ends, undated } = this;
    for (const { keyId, weight } of keys) {
      for (let at = this.undatedAt[keyId]!; at < this.undatedAt[keyId + 1]!; at++) add(undated[at]!, weight);
      const [from, to] = this.range(keyId, birth);
      // Exactly the window of ageWindowOverlaps: the intervals no more than its width apart.
      const opens = birth ? birth.from - windowDays : -Infinity;
      const closes = birth ? birth.to + windowDays : Infinity;
      for (let at = from; at < to; at++) if (ends[at]! >= opens && starts[at]! <= closes) add(dated[at]!, weight);
    }
    // What the dates say (blocking.ts, rankDateWeight), once a report is reached at all.
    const [childFrom, childTo] = birth ? [birth.from, birth.to] : [NaN, NaN];
    const { bornFrom, bornTo, eventDays } = this;
    for (let at = 0; at < reached; at++) {
      const p = touched[at]!;
      scores[p] = scores[p]! + rankDateWeightOfDays(bornFrom[p]!, bornTo[p]!, eventDays[p]!, childFrom, childTo, child.eventDay);
    }
    let floor = 0;
    if (reached > best) {
      const ranked = new Int32Array(reached);
      for (let at = 0; at < reached; at++) ranked[at] = scores[touched[at]!]!;
      floor = selectDescending(ranked, best);
    }
    for (let at = 0; at < reached; at++) if (scores[touched[at]!]! > floor) visit(touched[at]!);
    for (let at = 0; at < reached; at++) scores[touched[at]!] = 0;
    return floor;
  }

  /** The slice of the key's dated records whose interval may lie within the age window of `birth`. */
  private range(keyId: number, birth: BirthInterval | null): [number, number] {
    const [first, last] = [this.datedAt[keyId]!, this.datedAt[keyId + 1]!];
    if (!birth) return [first, last];
    return [lowerBound(this.starts, first, last, birth.from - windowDays - this.widestInterval), lowerBound(this.starts, first, last, birth.to + windowDays + 1)];
  }
}

/** The value at rank `k` (0 first) of the first `length` of `values` in descending order; reorders them (quickselect). */
export function selectDescending(values: Int32Array, k: number, length = values.length): number {
  let low = 0;
  let high = length - 1;
  while (low < high) {
    const pivot = values[(low + high) >> 1]!;
    let i = low;
    let j = high;
    while (i <= j) {
      while (values[i]! > pivot) i++;
      while (values[j]! < pivot) j--;
      if (i <= j) {
        const swap = values[i]!;
        values[i++] = values[j]!;
        values[j--] = swap;
      }
    }
    if (k <= j) high = j;
    else if (k >= i) low = i;
    else return values[k]!;
  }
  return values[k]!;
}

/** The first position in values[low .. high) whose value is above `target`. */
export function upperBound(values: Float64Array, low: number, high: number, target: number): number {
  while (low < high) {
    const middle = (low + high) >> 1;
    if (values[middle]! <= target) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The first position in values[low .. high) whose value is at or above `target`. */
export function lowerBound(values: Float64Array, low: number, high: number, target: number): number {
  while (low < high) {
    const middle = (low + high) >> 1;
    if (values[middle]! < target) low = middle + 1;
    else high = middle;
  }
  return low;
}
