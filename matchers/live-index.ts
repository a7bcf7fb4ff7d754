// The blocking keys of both sides in memory, changed record by record as records are matched: what a
// match worker searches for a record's partners instead of asking the database (src/matching/live-keys.ts
// keeps it current). Its rules are those of `milap link` (link.ts, candidatesOf) and of the service's
// SQL search (src/matching/store.ts, candidatePartners), which it answers exactly as: a key carried by
// more than keyReach times its limit of reports, active or not, or closed for good once it was (close),
// admits nobody; within a found child's age window a key carried by at most its limit of active reports
// admits them all, and one carried by more ranks them, her best admitted (blocking.ts, rankedBestOf) and
// the score just past them kept as her rank floor, which a report matched later must beat.
import { ageWindowYears, blockingKeys, isNameKey, keyLimit, keyReach, rankDateWeightMost, rankDateWeightOfDays, rankWeights, storedWhenClosed } from './blocking.ts';
import { lowerBound, selectDescending, upperBound } from './candidate-index.ts';
import type { PreparedRecord } from './prepare.ts';

export type Side = 'missing' | 'found';

/** The age window in whole days, as the service's SQL applies it (store.ts, inWindow). */
const windowDays = Math.floor(ageWindowYears * 365.25);

/** A record as the index holds it: its keys and what narrows them, at the version they were derived from. */
export interface LiveRecord {
  id: string;
  version: number;
  /** Still looked for: only active records are found as partners; inactive reports still count toward a key being too common. */
  active: boolean;
  /** The birth interval in whole days since 1970 (NaN: no age), and the day of going missing or being found. */
  bornFrom: number;
  bornTo: number;
  eventDay: number;
  keys: readonly string[];
}

/**
 * A prepared record still looked for, at version 1, as the index holds it: how the benches and tests
 * hold a synthetic world (the service holds what its database stored: src/matching/live-keys.ts, liveRecordOf).
 */
export const heldRecord = (id: string, prepared: PreparedRecord): LiveRecord => ({
  id,
  version: 1,
  active: true,
  bornFrom: prepared.birth?.from ?? NaN,
  bornTo: prepared.birth?.to ?? NaN,
  eventDay: prepared.eventDay,
  keys: blockingKeys(prepared),
});

/** A record a search admitted: its id, and its version as the index holds it (no second look-up by id: at a million records each was a miss of the processor's cache). */
export interface LiveHit {
  id: string;
  version: number;
}

/** What a search needs of the record being matched. */
export type LiveQuery = Pick<LiveRecord, 'id' | 'bornFrom' | 'bornTo' | 'eventDay' | 'keys'>;

const none: readonly number[] = [];

/** Two birth intervals within the age window of each other (records without an age always are). */
const inWindow = (aFrom: number, aTo: number, bFrom: number, bTo: number) =>
  Number.isNaN(aFrom) || Number.isNaN(bFrom) || (aTo >= bFrom - windowDays && aFrom <= bTo + windowDays);

/** A key's active records' birth intervals: starts and ends, each sorted in its first `count` places (room after), and how many have no age. */
interface KeyDates {
  starts: Float64Array;
  ends: Float64Array;
  count: number;
  undated: number;
}

/**
 * How many of a key's active records lie within the age window of a dated birth interval: those of
 * unknown age, plus those born from at most its end, less those born to before its start.
 */
const datedWithin = (dates: KeyDates, from: number, to: number) =>
  dates.undated + upperBound(dates.starts, 0, dates.count, to + windowDays) - lowerBound(dates.ends, 0, dates.count, from - windowDays);

/** `values` with `value` put in order among its sorted first `count` places: the same array, or a larger one when it was full. */
function insertSorted(values: Float64Array, count: number, value: number): Float64Array {
  if (count === values.length) {
    const grown = new Float64Array(Math.max(8, Math.ceil(count * 1.5)));
    grown.set(values);
    values = grown;
  }
  const at = upperBound(values, 0, count, value);
  values.copyWithin(at + 1, at, count);
  values[at] = value;
  return values;
}

/** Takes one `value` out of the sorted first `count` places of `values` (it is there). */
function removeSorted(values: Float64Array, count: number, value: number) {
  const at = lowerBound(values, 0, count, value);
  values.copyWithin(at, at + 1, count);
}

/**
 * A set of slots, for one search at a time: a Set of numbers cost a hash and a probe for every record
 * a search admitted (a report's search for its duplicates admits about 120 at national scale, and
 * many searches run a job); here each is an index into an array, the members listed in the order
 * first added (the order a Set kept). A search runs to its end without yielding, so one of these per
 * side serves every search of the index.
 */
class SlotSet {
  /** Which search last added each slot: a slot is a member only under this search's stamp. */
  #stamps = new Uint32Array(0);
  #stamp = 0;
  /** The slots added in this search, in the order first added. */
  readonly members: number[] = [];

  /** Starts a search among `slots` slots, with no member. */
  begin(slots: number) {
    if (this.#stamps.length < slots) {
      this.#stamps = new Uint32Array(Math.max(slots, 2 * this.#stamps.length, 1024));
      this.#stamp = 0;
    }
    if (++this.#stamp === 0xffffffff) {
      this.#stamps.fill(0);
      this.#stamp = 1;
    }
    this.members.length = 0;
  }

  /** Adds the slot; whether it was not a member before. */
  add(slot: number): boolean {
    if (this.#stamps[slot] === this.#stamp) return false;
    this.#stamps[slot] = this.#stamp;
    this.members.push(slot);
    return true;
  }

  has(slot: number): boolean {
    return this.#stamps[slot] === this.#stamp;
  }
}

/**
 * Rank scores by slot, for one search at a time (as SlotSet): a Map of slot to score cost a hash and
 * a probe for every report a child's over-limit keys ranked, most of her search.
 */
class SlotScores {
  #scores = new Float64Array(0);
  readonly #scored = new SlotSet();

  /** Starts a search among `slots` slots: every score back to none. */
  begin(slots: number) {
    if (this.#scores.length < slots) this.#scores = new Float64Array(Math.max(slots, 2 * this.#scores.length, 1024));
    this.#scored.begin(slots);
  }

  add(slot: number, weight: number) {
    if (this.#scored.add(slot)) this.#scores[slot] = weight;
    else this.#scores[slot]! += weight;
  }

  get(slot: number): number {
    return this.#scores[slot]!;
  }

  /** The slots this search scored, in the order first scored. */
  get touched(): readonly number[] {
    return this.#scored.members;
  }

  /** The scores copied for a selection (atRank), kept from one search to the next. */
  #ranked = new Int32Array(1024);

  /**
   * The score at rank `k` (0 first) in descending order among the slots this search scored (k below
   * their number), by a copy of them: the scores stay. Copied by a loop into an array kept for it, not
   * by `Int32Array.from` with a function, which calls it through the generic path for each slot.
   */
  atRank(k: number): number {
    const touched = this.#scored.members;
    if (this.#ranked.length < touched.length) this.#ranked = new Int32Array(Math.max(touched.length, 2 * this.#ranked.length));
    const ranked = this.#ranked;
    for (let at = 0; at < touched.length; at++) ranked[at] = this.#scores[touched[at]!]!;
    return selectDescending(ranked, k, touched.length);
  }
}

/** One side's records, by slot, and the slots of its active records carrying each key. */
class SideKeys {
  readonly slotOf = new Map<string, number>();
  readonly ids: string[] = [];
  readonly versions: number[] = [];
  readonly active: boolean[] = [];
  readonly bornFrom: number[] = [];
  readonly bornTo: number[] = [];
  readonly eventDay: number[] = [];
  /** A found child's rank floor (NaN: her search has not saved one). */
  readonly floors: number[] = [];
  /** The fingerprint each record was last put with (put), if it was given one. */
  readonly fingerprints: (string | undefined)[] = [];
  /** Each slot's key ids, sorted. */
  readonly keysOf: Int32Array[] = [];
  /**
   * Key id → the active records carrying it, three numbers each: slot, birth interval's start and end
   * (NaN: no age). The interval inline, so a search reads each key's list in order: read through the
   * slot, at a million records every look was a miss of the processor's cache.
   */
  readonly postings: (number[] | undefined)[] = [];
  /** Key id → the slots of the inactive records carrying it (a dense list, as postings: a Map's look-up was a search's for each of its keys). */
  readonly inactive: (number[] | undefined)[] = [];
  /**
   * Key id → the birth intervals of its active records, sorted (LiveKeyIndex, #datesOf), for the keys a
   * report's search counts within children's windows (partnersOfReport), and a record's within another
   * of its side's (sameSideAdmits): a key over its limit is a common one, met again by the next search
   * (sorted each time, a report's search took 4 ms). The reports' sorted for every key partnersOfReport
   * counts when the index is built (endBulk), and kept sorted as records come, change and go
   * (#moveDates): sorted when a search first met the key, and again after each change of its reports,
   * the first searches after a worker's start took 5.7 ms a report at national scale against 0.2 ms
   * after, and a report filed had the next report's search sort each of its common keys again.
   */
  readonly dates = new Map<number, KeyDates>();

  /** The records at these slots, as a search answers them. */
  hitsOf(slots: readonly number[]): LiveHit[] {
    return slots.map((slot) => ({ id: this.ids[slot]!, version: this.versions[slot]! }));
  }

  /** How many records carry the key, active or not. */
  carriers(keyId: number): number {
    return (this.postings[keyId]?.length ?? 0) / 3 + (this.inactive[keyId]?.length ?? 0);
  }
}

const sameKeys = (a: Int32Array, b: Int32Array) => a.length === b.length && a.every((value, i) => value === b[i]);

export class LiveKeyIndex {
  readonly #keyIds = new Map<string, number>();
  readonly #limits: number[] = [];
  /**
   * Key id → 0 while the key is open; 1 once closed for good (src/matching/store.ts, warmTooCommonKeys),
   * so that it admits nothing; 2 when closed and not held either (blocking.ts, storedWhenClosed): a
   * record put after it closed is not in its lists, as the database stores no row for it.
   */
  readonly #closed: number[] = [];
  readonly #sides = { missing: new SideKeys(), found: new SideKeys() };
  /** Key id → the id of the phonetic name it carries (n:, f: or m: taken off), or -1 for a key of another kind. */
  readonly #nameOfKey: number[] = [];
  /** Phonetic name → its id. */
  readonly #nameIds = new Map<string, number>();
  /**
   * Name id → how many records of both sides, looked for or not, carry it in any of their names, each
   * once (nameKeyCount): kept as records are linked and unlinked, where it was counted for each name a
   * job asked about, by gathering every record of its lists into a Set (for a common name carried as a
   * child's and a father's, tens of thousands), a tenth of a worker process's time after its start.
   */
  readonly #nameCarriers: number[] = [];
  /** The scores a search ranks by: reports for a child's search, children for a report's. */
  readonly #reportScores = new SlotScores();
  readonly #childScores = new SlotScores();
  /** The records a search admits, by slot of their side. */
  readonly #hits = { missing: new SlotSet(), found: new SlotSet() };
  /** A key's records within a window, for one key of one search at a time. */
  readonly #within: number[] = [];
  /** How many records of each side it holds, active or not, and how many distinct keys. */
  get size(): { missing: number; found: number; keys: number } {
    return { missing: this.#sides.missing.ids.length, found: this.#sides.found.ids.length, keys: this.#limits.length };
  }

  #keyId(key: string): number {
    let id = this.#keyIds.get(key);
    if (id === undefined) {
      id = this.#limits.length;
      this.#keyIds.set(key, id);
      this.#limits.push(keyLimit(key));
      this.#closed.push(0);
      this.#nameOfKey.push(isNameKey(key) ? this.#nameId(key.slice(2)) : -1);
      // Every key's list on both sides, so that the lists stay dense arrays (assigned out of order,
      // V8 turned them into dictionaries: a put took 185 µs).
      this.#sides.missing.postings.push(undefined);
      this.#sides.found.postings.push(undefined);
      this.#sides.missing.inactive.push(undefined);
      this.#sides.found.inactive.push(undefined);
    }
    return id;
  }

  /** The ids of the keys a search was asked with, by the array it was given (searched). */
  readonly #searchedIds = new WeakMap<readonly string[], Int32Array>();

  /**
   * The ids of the keys the index knows among `keys`, each once, in the order first given (the order a
   * search adds its scores in, which their sums follow to the last bit): worked out once for each array
   * of keys, as a match job searches with its record's keys twice, for its duplicates and its partners
   * (a Set of seventy-odd strings and a look-up of each, every search). A key the index does not know
   * is carried by no record: a record's keys are known from its put, before its searches.
   */
  #searched(keys: readonly string[]): Int32Array {
    let ids = this.#searchedIds.get(keys);
    if (ids === undefined) {
      const known: number[] = [];
      for (const key of new Set(keys)) {
        const keyId = this.#keyIds.get(key);
        if (keyId !== undefined) known.push(keyId);
      }
      ids = Int32Array.from(known);
      this.#searchedIds.set(keys, ids);
    }
    return ids;
  }

  /**
   * The keys' ids, sorted, each once (hashed once: a Set of the strings first cost as much again),
   * but for closed keys no longer held (close). Filled by a loop: `Int32Array.from` with a function
   * calls it through the generic path for each key, 5.5 µs for seventy keys against 1.5 (SlotScores, atRank).
   */
  #keyIdsOf(keys: readonly string[]): Int32Array {
    const ids = new Int32Array(keys.length);
    for (let at = 0; at < keys.length; at++) ids[at] = this.#keyId(keys[at]!);
    ids.sort();
    let kept = 0;
    for (let at = 0; at < ids.length; at++) if ((at === 0 || ids[at] !== ids[at - 1]) && this.#closed[ids[at]!] !== 2) ids[kept++] = ids[at]!;
    return ids.subarray(0, kept).slice();
  }

  /**
   * Closes these keys for good (src/matching/store.ts, warmTooCommonKeys): each admits nothing from now
   * on, however few records its lists hold, and records put from now on leave it out of their keys but
   * for the name keys (blocking.ts, storedWhenClosed), as the database's rows do. Records held already
   * keep it (their lists stay as they are). Returns how many were not closed before.
   */
  close(keys: Iterable<string>): number {
    let closed = 0;
    for (const key of keys) {
      const keyId = this.#keyId(key);
      if (this.#closed[keyId]) continue;
      this.#closed[keyId] = storedWhenClosed(key) ? 1 : 2;
      closed++;
    }
    return closed;
  }

  /**
   * The keys still open that more than keyReach times their limit of reports carry, active or not
   * (blocking.ts, keyTooCommon): what a worker closes for good (src/matching/store.ts,
   * closeTooCommonKeys), counted here as the database counts the key table's rows of the reports.
   */
  tooCommonKeys(): string[] {
    const reports = this.#sides.missing;
    const tooCommon: string[] = [];
    for (const [key, keyId] of this.#keyIds) {
      if (!this.#closed[keyId] && reports.carriers(keyId) > keyReach * this.#limits[keyId]!) tooCommon.push(key);
    }
    return tooCommon;
  }

  /** Whether the key is closed for good (close). */
  isClosed(key: string): boolean {
    const keyId = this.#keyIds.get(key);
    return keyId !== undefined && this.#closed[keyId] !== 0;
  }

  /**
   * Holds the record as given, unless the index holds a later version of it (a change read late).
   * Returns whether it changed anything. `fingerprint`: a digest of the record's activity, interval,
   * event day and keys, made by the caller (src/matching/store.ts, keysDigestOf): a record put again
   * at the version it is held at with the fingerprint it was last put with holds what it holds, and
   * its keys are not looked up again to see that (a full re-match puts every record again, unchanged:
   * the look-ups were 3% of its time in Node).
   */
  put(side: Side, record: LiveRecord, fingerprint?: string): boolean {
    const s = this.#sides[side];
    let slot = s.slotOf.get(record.id);
    if (slot !== undefined && fingerprint !== undefined && s.versions[slot] === record.version && s.fingerprints[slot] === fingerprint) return false;
    const keys = this.#keyIdsOf(record.keys);
    if (slot !== undefined) {
      if (s.versions[slot]! > record.version) return false;
      s.versions[slot] = record.version;
      s.fingerprints[slot] = fingerprint;
      const unchanged = s.active[slot] === record.active && sameKeys(s.keysOf[slot]!, keys) && Object.is(s.bornFrom[slot], record.bornFrom) &&
        Object.is(s.bornTo[slot], record.bornTo) && Object.is(s.eventDay[slot], record.eventDay);
      if (unchanged) return false;
      if (!this.#bulk) this.#unlink(s, slot);
      s.active[slot] = record.active;
      s.bornFrom[slot] = record.bornFrom;
      s.bornTo[slot] = record.bornTo;
      s.eventDay[slot] = record.eventDay;
      s.keysOf[slot] = keys;
    } else {
      slot = this.#newSlot(s, record, keys);
      s.fingerprints[slot] = fingerprint;
    }
    if (!this.#bulk) this.#link(s, slot);
    return true;
  }

  /** Between beginBulk() and endBulk(), records are held but not yet in their keys' lists. */
  #bulk = false;

  /**
   * Puts (and addKeyRow's records) after this are linked by endBulk(), every key's list made once at
   * its length. Grown one push at a time and trimmed after (as they were), the lists of 260,000
   * records left 2.1 GB of old backing stores behind (an index of 640 MB), which a full collection
   * then cleared during the first jobs: at national scale, 3.5 GB and 5 s of marking.
   */
  beginBulk() {
    this.#bulk = true;
  }

  /** Links every record held into its keys' lists (lists and counts made anew), and ends bulk mode. */
  endBulk() {
    this.#bulk = false;
    this.#sides.missing.dates.clear();
    this.#sides.found.dates.clear();
    this.#nameCarriers.fill(0);
    for (const s of Object.values(this.#sides)) {
      const keys = this.#limits.length;
      const counts = new Int32Array(keys);
      s.inactive.fill(undefined);
      for (let slot = 0; slot < s.ids.length; slot++) {
        this.#countNames(s.keysOf[slot]!, 1);
        for (const keyId of s.keysOf[slot]!) {
          if (s.active[slot]) counts[keyId]!++;
          else (s.inactive[keyId] ??= []).push(slot);
        }
      }
      s.postings.length = keys;
      const filled = new Int32Array(keys);
      for (let keyId = 0; keyId < keys; keyId++) s.postings[keyId] = counts[keyId] ? new Array<number>(3 * counts[keyId]!) : undefined;
      for (let slot = 0; slot < s.ids.length; slot++) {
        if (!s.active[slot]) continue;
        for (const keyId of s.keysOf[slot]!) {
          const list = s.postings[keyId]!;
          const at = filled[keyId]!;
          list[at] = slot;
          list[at + 1] = s.bornFrom[slot]!;
          list[at + 2] = s.bornTo[slot]!;
          filled[keyId] = at + 3;
        }
      }
    }
    // Every key a report's search counts within children's windows, its dates sorted now, not by the
    // first search that meets it (partnersOfReport: a key some child carries, over its limit of reports
    // and not too common to admit).
    const m = this.#sides.missing;
    const f = this.#sides.found;
    for (let keyId = 0; keyId < this.#limits.length; keyId++) {
      const reports = m.postings[keyId];
      const limit = this.#limits[keyId]!;
      if (reports && f.postings[keyId]?.length && reports.length / 3 > limit && !this.#closed[keyId] && m.carriers(keyId) <= keyReach * limit) this.#datesOf(m, keyId);
    }
  }

  /** Records being read in bulk (addKeyRow): their key ids so far, linked when finishRows() is called. */
  readonly #rows = new Map<SideKeys, Map<number, number[]>>();

  /**
   * Adds one stored key row to its record (creating it), for reading the database's key table in
   * bulk: a record's keys come apart, in key order. finishRows() then links them.
   */
  addKeyRow(side: Side, id: string, active: boolean, bornFrom: number, bornTo: number, eventDay: number, key: string) {
    const s = this.#sides[side];
    const rows = this.#rows.get(s) ?? this.#rows.set(s, new Map()).get(s)!;
    let slot = s.slotOf.get(id);
    if (slot === undefined) {
      slot = this.#newSlot(s, { id, version: 0, active, bornFrom, bornTo, eventDay, keys: [] }, new Int32Array(0));
      rows.set(slot, []);
    }
    rows.get(slot)?.push(this.#keyId(key));
  }

  /** Links the records read by addKeyRow (in bulk mode, endBulk() does). */
  finishRows() {
    for (const [s, rows] of this.#rows) {
      for (const [slot, keyIds] of rows) {
        s.keysOf[slot] = Int32Array.from(new Set(keyIds.filter((keyId) => this.#closed[keyId] !== 2))).sort();
        if (!this.#bulk) this.#link(s, slot);
      }
    }
    this.#rows.clear();
  }

  #newSlot(s: SideKeys, record: LiveRecord, keys: Int32Array): number {
    const slot = s.ids.length;
    s.slotOf.set(record.id, slot);
    s.ids.push(record.id);
    s.versions.push(record.version);
    s.floors.push(NaN);
    s.fingerprints.push(undefined);
    s.active.push(record.active);
    s.bornFrom.push(record.bornFrom);
    s.bornTo.push(record.bornTo);
    s.eventDay.push(record.eventDay);
    s.keysOf.push(keys);
    return slot;
  }

  /** A found child's rank floor, as her search (or another process's, read from the database) saved it. */
  setFloor(childId: string, floor: number) {
    const slot = this.#sides.found.slotOf.get(childId);
    if (slot !== undefined) this.#sides.found.floors[slot] = floor;
  }

  #link(s: SideKeys, slot: number) {
    this.#countNames(s.keysOf[slot]!, 1);
    const dated = s.active[slot]!;
    for (const keyId of s.keysOf[slot]!) {
      if (dated) this.#moveDates(s, keyId, s.bornFrom[slot]!, s.bornTo[slot]!, true);
      if (s.active[slot]) (s.postings[keyId] ??= []).push(slot, s.bornFrom[slot]!, s.bornTo[slot]!);
      else (s.inactive[keyId] ??= []).push(slot);
    }
  }

  /** Before the record's slot takes its new values: it leaves its keys' lists with those it had. */
  #unlink(s: SideKeys, slot: number) {
    this.#countNames(s.keysOf[slot]!, -1);
    const dated = s.active[slot]!;
    for (const keyId of s.keysOf[slot]!) {
      if (dated) this.#moveDates(s, keyId, s.bornFrom[slot]!, s.bornTo[slot]!, false);
      if (s.active[slot]) {
        const list = s.postings[keyId]!;
        let at = list.length - 3;
        while (list[at] !== slot) at -= 3;
        const last = list.length - 3;
        list[at] = list[last]!;
        list[at + 1] = list[last + 1]!;
        list[at + 2] = list[last + 2]!;
        list.length = last;
      } else {
        const slots = s.inactive[keyId]!;
        slots[slots.lastIndexOf(slot)] = slots[slots.length - 1]!;
        slots.pop();
        if (!slots.length) s.inactive[keyId] = undefined;
      }
    }
  }

  /**
   * How many records of both sides, looked for or not, carry the phonetic name key `key` in the
   * child's, the father's or the mother's name (n:, f:, m:), each record once: what term frequencies
   * divide, counted as the database counts it (src/matching/store.ts, nameKeyFrequencies).
   */
  nameKeyCount(key: string): number {
    const nameId = this.#nameIds.get(key);
    return nameId === undefined ? 0 : this.#nameCarriers[nameId]!;
  }

  #nameId(name: string): number {
    let id = this.#nameIds.get(name);
    if (id === undefined) {
      id = this.#nameCarriers.length;
      this.#nameIds.set(name, id);
      this.#nameCarriers.push(0);
    }
    return id;
  }

  /** The names a record's keys carry counted for it (`by` 1) or no longer (`by` -1): each name once, however many of its names carry it (a girl named after her mother). */
  #countNames(keys: Int32Array, by: 1 | -1) {
    const names = this.#namesOfRecord;
    names.length = 0;
    for (const keyId of keys) {
      const nameId = this.#nameOfKey[keyId]!;
      if (nameId >= 0 && !names.includes(nameId)) names.push(nameId);
    }
    for (const nameId of names) this.#nameCarriers[nameId]! += by;
  }

  /** One record's names, for #countNames at a time. */
  readonly #namesOfRecord: number[] = [];

  /**
   * The reports a found child's keys admit (matchers/link.ts, candidatesOf), and her rank floor: the
   * score of the report just past her best among those her over-limit keys rank (0 when they reach no more).
   */
  partnersOfChild(child: LiveQuery, best: number): { reports: LiveHit[]; floor: number } {
    const m = this.#sides.missing;
    const hits = this.#hits.missing;
    hits.begin(m.ids.length);
    const scores = this.#reportScores;
    scores.begin(m.ids.length);
    for (const keyId of this.#searched(child.keys)) {
      const limit = this.#limits[keyId]!;
      if (this.#closed[keyId] || m.carriers(keyId) > keyReach * limit) continue;
      const within = this.#within;
      within.length = 0;
      const list = m.postings[keyId] ?? none;
      for (let at = 0; at < list.length; at += 3) if (inWindow(list[at + 1]!, list[at + 2]!, child.bornFrom, child.bornTo)) within.push(list[at]!);
      if (within.length <= limit) {
        for (const slot of within) hits.add(slot);
        continue;
      }
      const weight = rankWeights[within.length]!;
      for (const slot of within) scores.add(slot, weight);
    }
    const ranked = scores.touched;
    // The floor is the (best + 1)-th score with the dates, at least the (best + 1)-th without them
    // (`past`), as no date weighs less than nothing. A report whose keys' score with the most the dates
    // can add is no more than `past` cannot pass the floor, nor move it (best + 1 others score at least
    // `past`): its dates are not read, three looks at random in memory each. At national scale this is
    // half the reports a child's search ranks.
    const past = ranked.length > best ? scores.atRank(best) : -Infinity;
    for (const slot of ranked) {
      if (scores.get(slot) + rankDateWeightMost <= past) continue;
      scores.add(slot, rankDateWeightOfDays(m.bornFrom[slot]!, m.bornTo[slot]!, m.eventDay[slot]!, child.bornFrom, child.bornTo, child.eventDay));
    }
    const floor = ranked.length > best ? scores.atRank(best) : 0;
    for (const slot of ranked) if (scores.get(slot) > floor) hits.add(slot);
    return { reports: m.hitsOf(hits.members), floor };
  }

  /**
   * The found children whose keys admit this report, as each child's own search would (the report
   * being held by the index already, as it is counted): a key few enough reports carry admits every
   * child within the report's window; otherwise it counts the reports within each child's window,
   * admitting her when they are few enough and ranking the report among hers when not, where it is
   * admitted when it scores above her rank floor.
   */
  partnersOfReport(report: LiveQuery): LiveHit[] {
    const m = this.#sides.missing;
    const f = this.#sides.found;
    const hits = this.#hits.found;
    hits.begin(f.ids.length);
    const scores = this.#childScores;
    scores.begin(f.ids.length);
    for (const keyId of this.#searched(report.keys)) {
      const children = f.postings[keyId];
      if (!children?.length) continue;
      const limit = this.#limits[keyId]!;
      if (this.#closed[keyId] || m.carriers(keyId) > keyReach * limit) continue;
      const reports = m.postings[keyId] ?? none;
      const carrying = reports.length / 3;
      let dates: KeyDates | undefined;
      for (let at = 0; at < children.length; at += 3) {
        const child = children[at]!;
        const from = children[at + 1]!;
        const to = children[at + 2]!;
        if (!inWindow(report.bornFrom, report.bornTo, from, to)) continue;
        if (carrying <= limit) {
          hits.add(child);
          continue;
        }
        // The reports carrying the key within the child's window (each list sorted once a key).
        dates ??= this.#datesOf(m, keyId);
        const n = Number.isNaN(from) ? carrying : datedWithin(dates, from, to);
        if (n <= limit) hits.add(child);
        else scores.add(child, rankWeights[n]!);
      }
    }
    for (const child of scores.touched) {
      const floor = f.floors[child]!;
      if (hits.has(child) || Number.isNaN(floor)) continue;
      if (scores.get(child) + rankDateWeightOfDays(report.bornFrom, report.bornTo, report.eventDay, f.bornFrom[child]!, f.bornTo[child]!, f.eventDay[child]!) > floor) hits.add(child);
    }
    return f.hitsOf(hits.members);
  }

  /** The birth intervals of the side's active records carrying the key (postings: slot, start, end in threes), starts and ends each sorted. */
  #datesOf(s: SideKeys, keyId: number): KeyDates {
    let dates = s.dates.get(keyId);
    if (!dates) {
      const list = s.postings[keyId] ?? none;
      const starts: number[] = [];
      const ends: number[] = [];
      for (let at = 0; at < list.length; at += 3) {
        if (Number.isNaN(list[at + 1]!)) continue;
        starts.push(list[at + 1]!);
        ends.push(list[at + 2]!);
      }
      dates = { starts: Float64Array.from(starts).sort(), ends: Float64Array.from(ends).sort(), count: starts.length, undated: list.length / 3 - starts.length };
      s.dates.set(keyId, dates);
    }
    return dates;
  }

  /** An active record's birth interval joins (or leaves) the sorted dates of one of its keys, where they are kept. */
  #moveDates(s: SideKeys, keyId: number, from: number, to: number, joins: boolean) {
    const dates = s.dates.get(keyId);
    if (!dates) return;
    if (Number.isNaN(from)) {
      dates.undated += joins ? 1 : -1;
    } else if (joins) {
      dates.starts = insertSorted(dates.starts, dates.count, from);
      dates.ends = insertSorted(dates.ends, dates.count, to);
      dates.count++;
    } else {
      removeSorted(dates.starts, dates.count, from);
      removeSorted(dates.ends, dates.count, to);
      dates.count--;
    }
  }

  /**
   * Active records of the record's own side that a shared key admits as possible duplicates: a key
   * carried by at most its limit of other records within the age window admits them all, unless it is
   * closed (close), as the database's search leaves closed keys out (src/matching/duplicates.ts).
   *
   * `once`: less those whose id is the smaller and whose own search admits this record (sameSideAdmits),
   * as a re-match of every record weighs each possible duplicate once, from one of its records. Each
   * is asked first of the key that admitted it here, which answers for nearly every one (asked of every
   * key the two share in turn, by their ids, the question took a tenth of a re-match's time in Node).
   */
  sameSide(side: Side, record: LiveQuery, once = false): LiveHit[] {
    const s = this.#sides[side];
    const self = s.slotOf.get(record.id);
    const hits = this.#hits[side];
    hits.begin(s.ids.length);
    // The key that first admitted each member, in the members' order (-1: one every record carrying it is admitted by).
    const admittedBy = this.#admittedBy;
    admittedBy.length = 0;
    for (const keyId of this.#searched(record.keys)) {
      if (this.#closed[keyId]) continue;
      const limit = this.#limits[keyId]!;
      const within = this.#within;
      within.length = 0;
      const list = s.postings[keyId] ?? none;
      for (let at = 0; at < list.length; at += 3) {
        if (list[at] === self || !inWindow(list[at + 1]!, list[at + 2]!, record.bornFrom, record.bornTo)) continue;
        within.push(list[at]!);
        if (within.length > limit) break;
      }
      if (within.length <= limit) {
        // Carried by no more than its limit of other records, whatever their windows: each of them,
        // finding this record in its window as it is in this one's, is admitted by it too (#admitsBy).
        const all = list.length / 3 - 1 <= limit;
        for (const slot of within) if (hits.add(slot)) admittedBy.push(all ? -1 : keyId);
      }
    }
    if (!once || self === undefined || !s.active[self]) return s.hitsOf(hits.members);
    const left: number[] = [];
    for (let n = 0; n < hits.members.length; n++) {
      const slot = hits.members[n]!;
      const by = admittedBy[n]!;
      if (!(s.ids[slot]! < record.id && (by < 0 || this.#admits(s, slot, self, by)))) left.push(slot);
    }
    return s.hitsOf(left);
  }

  /** The key that first admitted each member of sameSide's search, for one search at a time. */
  readonly #admittedBy: number[] = [];

  /**
   * Whether the search for possible duplicates of the record held as `fromId` (sameSide, with the keys
   * it is held with) admits the record held as `toId`, both active: a key they share, not closed,
   * carried by at most its limit of other records within the first's age window, counted from the
   * key's sorted dates (#datesOf) instead of read through its list. What a re-match of every record
   * asks so as to weigh each possible duplicate once, from one of its two records (src/matching/duplicates.ts).
   */
  sameSideAdmits(side: Side, fromId: string, toId: string): boolean {
    const s = this.#sides[side];
    const from = s.slotOf.get(fromId);
    const to = s.slotOf.get(toId);
    return from !== undefined && to !== undefined && this.#admits(s, from, to);
  }

  /** sameSideAdmits by slots; `first`: a key both carry, not closed, asked before the others. */
  #admits(s: SideKeys, from: number, to: number, first = -1): boolean {
    if (from === to || !s.active[from] || !s.active[to]) return false;
    const bornFrom = s.bornFrom[from]!;
    const bornTo = s.bornTo[from]!;
    if (!inWindow(bornFrom, bornTo, s.bornFrom[to]!, s.bornTo[to]!)) return false;
    if (first >= 0 && this.#admitsBy(s, first, bornFrom, bornTo)) return true;
    const a = s.keysOf[from]!;
    const b = s.keysOf[to]!;
    for (let i = 0, j = 0; i < a.length && j < b.length;) {
      if (a[i]! < b[j]!) i++;
      else if (a[i]! > b[j]!) j++;
      else {
        const keyId = a[i]!;
        i++;
        j++;
        if (keyId !== first && !this.#closed[keyId] && this.#admitsBy(s, keyId, bornFrom, bornTo)) return true;
      }
    }
    return false;
  }

  /** Whether the key, shared and open, admits within the window of a record that carries it: at most its limit of other active records there. */
  #admitsBy(s: SideKeys, keyId: number, bornFrom: number, bornTo: number): boolean {
    const limit = this.#limits[keyId]!;
    // The key's active records within the window, the record itself among them (its own interval is in it).
    const carrying = (s.postings[keyId]?.length ?? 0) / 3;
    if (carrying - 1 <= limit) return true;
    const within = Number.isNaN(bornFrom) ? carrying : datedWithin(this.#datesOf(s, keyId), bornFrom, bornTo);
    return within - 1 <= limit;
  }
}
