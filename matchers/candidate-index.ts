// An inverted index of blocking keys for linking in memory: key → the records carrying it, sorted
// by the start of their birth interval, so a lookup walks only the records inside the age window
// (records without any age always come along). The database does the same with its indexes.
import type { BirthInterval } from './age.ts';
import { ageWindowYears, rankDateWeightOfDays } from './blocking.ts';
import type { PreparedRecord } from './prepare.ts';

interface Postings {
  /** Positions of records with a birth interval, ordered by its start. */
  dated: Int32Array;
  starts: Float64Array;
  /** Their interval ends, in the same order. */
  ends: Float64Array;
  /** The same records' interval ends, sorted on their own: how many end before a window opens. */
  sortedEnds: Float64Array;
  undated: Int32Array;
}

const windowDays = ageWindowYears * 365.25;

export class CandidateIndex {
  private readonly ids = new Map<string, number>();
  private readonly postings: Postings[] = [];
  private readonly widestInterval: number;
  /** Scratch of rankedInWindow: each record's rank score, and the records given one. */
  private readonly rankScores: Int32Array;
  private readonly rankTouched: Int32Array;
  /** Each record's birth interval (NaN: none) and event day, for the dates' part of a rank score. */
  private readonly bornFrom: Float64Array;
  private readonly bornTo: Float64Array;
  private readonly eventDays: Float64Array;

  constructor(private readonly records: readonly PreparedRecord[], keysOf: (record: PreparedRecord) => string[]) {
    const lists: number[][] = [];
    // Records are taken in the order of their birth interval's start (a stable sort: ties in position
    // order), so every key's list comes out sorted: one sort of the records instead of one of each
    // list by a comparator reading its records (a tenth of a link's time).
    const byStart = Array.from(records.keys()).sort((a, b) => {
      const [x, y] = [records[a]!.birth, records[b]!.birth];
      return x && y ? x.from - y.from : x ? -1 : y ? 1 : 0;
    });
    for (const position of byStart) {
      const record = records[position]!;
      for (const key of keysOf(record)) {
        let id = this.ids.get(key);
        if (id === undefined) {
          id = lists.length;
          this.ids.set(key, id);
          lists.push([]);
        }
        lists[id]!.push(position);
      }
    }
    this.widestInterval = records.reduce((widest, r) => (r.birth ? Math.max(widest, r.birth.to - r.birth.from) : widest), 0);
    for (const list of lists) this.postings.push(this.sorted(list));
    this.rankScores = new Int32Array(records.length);
    this.rankTouched = new Int32Array(records.length);
    this.bornFrom = Float64Array.from(records, (r) => r.birth?.from ?? NaN);
    this.bornTo = Float64Array.from(records, (r) => r.birth?.to ?? NaN);
    this.eventDays = Float64Array.from(records, (r) => r.eventDay);
  }

  /** A key's postings from its list, which holds the dated records first, by start (see the constructor). */
  private sorted(list: number[]): Postings {
    const dated = list.filter((p) => this.records[p]!.birth);
    return {
      dated: Int32Array.from(dated),
      starts: Float64Array.from(dated, (p) => this.records[p]!.birth!.from),
      ends: Float64Array.from(dated, (p) => this.records[p]!.birth!.to),
      sortedEnds: Float64Array.from(dated, (p) => this.records[p]!.birth!.to).sort(),
      undated: Int32Array.from(list.filter((p) => !this.records[p]!.birth)),
    };
  }

  keyId(key: string): number | undefined {
    return this.ids.get(key);
  }

  /** How many records carry the key, whatever their age. */
  size(keyId: number): number {
    const { dated, undated } = this.postings[keyId]!;
    return dated.length + undated.length;
  }

  /**
   * How many records carry the key and lie within the age window of `birth` (as ageWindowOverlaps
   * says; records without an age count too): the size the admission rule weighs. Two binary
   * searches: the intervals that start by the window's end, less those that end before it opens
   * (an interval ends after it starts, so those are among the first), as the service counts in SQL.
   */
  sizeInWindow(keyId: number, birth: BirthInterval | null): number {
    const { dated, starts, sortedEnds, undated } = this.postings[keyId]!;
    if (!birth) return dated.length + undated.length;
    return undated.length + upperBound(starts, birth.to + windowDays) - lowerBound(sortedEnds, birth.from - windowDays);
  }

  /** Every record carrying the key whose birth interval may lie within the age window of `birth`. */
  forEachInWindow(keyId: number, birth: BirthInterval | null, visit: (position: number) => void): void {
    const { dated, starts, undated } = this.postings[keyId]!;
    for (const position of undated) visit(position);
    const [from, to] = this.range(starts, birth);
    for (let at = from; at < to; at++) visit(dated[at]!);
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
    for (const { keyId, weight } of keys) {
      const { dated, starts, ends, undated } = this.postings[keyId]!;
      for (let at = 0; at < undated.length; at++) add(undated[at]!, weight);
      const [from, to] = this.range(starts, birth);
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

  private range(starts: Float64Array, birth: BirthInterval | null): [number, number] {
    if (!birth) return [0, starts.length];
    return [lowerBound(starts, birth.from - windowDays - this.widestInterval), lowerBound(starts, birth.to + windowDays + 1)];
  }
}

/** The value at rank `k` (0 first) of `values` in descending order; reorders `values` (quickselect). */
export function selectDescending(values: Int32Array, k: number): number {
  let low = 0;
  let high = values.length - 1;
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

/** The first position whose value is above `target`: how many are at or under it. */
function upperBound(values: Float64Array, target: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (values[middle]! <= target) low = middle + 1;
    else high = middle;
  }
  return low;
}

function lowerBound(values: Float64Array, target: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (values[middle]! < target) low = middle + 1;
    else high = middle;
  }
  return low;
}
