// An inverted index of blocking keys for linking in memory: key → the records carrying it, sorted
// by the start of their birth interval, so a lookup walks only the records inside the age window
// (records without any age always come along). The database does the same with its indexes.
import type { BirthInterval } from './age.ts';
import { ageWindowYears } from './blocking.ts';
import type { PreparedRecord } from './prepare.ts';

interface Postings {
  /** Positions of records with a birth interval, ordered by its start. */
  dated: Int32Array;
  starts: Float64Array;
  /** The same records' interval ends, sorted on their own: how many end before a window opens. */
  sortedEnds: Float64Array;
  undated: Int32Array;
}

const windowDays = ageWindowYears * 365.25;

export class CandidateIndex {
  private readonly ids = new Map<string, number>();
  private readonly postings: Postings[] = [];
  private readonly widestInterval: number;

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
  }

  /** A key's postings from its list, which holds the dated records first, by start (see the constructor). */
  private sorted(list: number[]): Postings {
    const dated = list.filter((p) => this.records[p]!.birth);
    return {
      dated: Int32Array.from(dated),
      starts: Float64Array.from(dated, (p) => this.records[p]!.birth!.from),
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

  private range(starts: Float64Array, birth: BirthInterval | null): [number, number] {
    if (!birth) return [0, starts.length];
    return [lowerBound(starts, birth.from - windowDays - this.widestInterval), lowerBound(starts, birth.to + windowDays + 1)];
  }
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
