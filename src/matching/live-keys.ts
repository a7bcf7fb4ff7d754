// A match worker's keys of every record, in memory (matchers/live-index.ts), kept current across
// processes. The database's key table searched by SQL for every record being matched was most of
// the database's work, a report's search alone 26 ms (counting, for each child a key reached, the
// reports within her window): held here, the same search is a walk of a few arrays.
//
// Current: a worker derives every record's keys when it starts (as it prepares them: warm.ts), then,
// before each search, reads the records other processes matched since it last looked. A match saves
// its record's subject row with the id of its transaction (migrations/016); the worker asks for the
// rows of every transaction its last read's snapshot could not see (in progress then, or begun
// since), so a transaction that committed late is read too, and none twice. A record it matches
// itself it holds at once, before its transaction commits (keys are a function of the record's
// stored version).
import type { LiveKeyIndex, LiveRecord, Side } from '../../matchers/live-index.ts';
import { LiveKeyIndex as Index } from '../../matchers/live-index.ts';
import { perPool } from '../db/per-pool.ts';
import { preparedQuery } from '../db/prepared.ts';
import type { Queryable } from '../records/repository.ts';
import type { MatchEngine, Subject } from './engine.ts';
import { closedKeys } from './store.ts';
import { warmPreparedRecords, type Warmed } from './warm.ts';
import { collectGarbage } from './collect.ts';

const dayMs = 86_400_000;
/** A stored date ('YYYY-MM-DD', as the database driver gives it: database.ts) in whole days since 1970; NaN for none. */
export const dayOf = (iso: string | null | undefined) => (iso ? Date.parse(iso) / dayMs : NaN);

/** A record as the index holds it, its dates as the database stores them. */
export const liveRecordOf = (id: string, version: number, active: boolean, narrowing: { bornFrom: string | null; bornTo: string | null; eventDay: string | null }, keys: readonly string[]): LiveRecord => ({
  id,
  version,
  active,
  bornFrom: dayOf(narrowing.bornFrom),
  bornTo: dayOf(narrowing.bornTo),
  eventDay: dayOf(narrowing.eventDay),
  keys,
});

/** A record being matched, as a search of the index takes it. */
export const liveQueryOf = (subject: Subject): LiveRecord => liveRecordOf(subject.id, subject.version, true, subject.narrowing, subject.keys);

interface Change {
  side: Side;
  id: string;
  version: number;
  active: boolean;
  bornFrom: string | null;
  bornTo: string | null;
  eventDay: string | null;
  floor: number | null;
  keys: string[];
}

export class LiveKeys {
  readonly index: LiveKeyIndex = new Index();
  #state: 'cold' | 'building' | 'ready' | 'failed' = 'cold';
  /** The snapshot of the last read (pg_snapshot, as text): what it saw, and which transactions it could not see yet. */
  #seen = '';
  /** Reads of changes, one after another, so that a later read is never applied before an earlier one. */
  #reading: Promise<unknown> = Promise.resolve();
  /**
   * This process's own match transactions (their ids, as text) that a read may still meet: their
   * records were put in the index as they were matched, so a read leaves their rows out: read back,
   * each record matched here cost the database an aggregation of its seventy-odd keys into JSON, and
   * this process their parsing and a look-up of each again. Forgotten once a read's snapshot sees them finished.
   */
  readonly #mine = new Set<string>();

  /** Built and current: a search may use it. */
  get ready(): boolean {
    return this.#state === 'ready';
  }

  /**
   * Puts every record still looked for in the index with its keys, preparing it into the engine's
   * cache as the worker's warm-up does (warm.ts, which this is), then the keys of the records no
   * longer looked for (they still count toward a key being too common) and the found children's
   * rank floors; collects the garbage all that left (collect.ts); then reads the changes made
   * meanwhile. Jobs search the database until it is done. Once per process and database; returns
   * null when it was begun before.
   */
  async build(db: Queryable, engine: MatchEngine, options: { chunk?: number; heapShare?: number } = {}): Promise<(Warmed & { keys: number }) | null> {
    if (this.#state !== 'cold') return null;
    this.#state = 'building';
    try {
      this.#seen = (await db.query<{ snapshot: string }>('SELECT pg_current_snapshot()::text AS snapshot')).rows[0]!.snapshot;
      // Keys closed for good first: records are held without them, as the database's rows are.
      this.index.close(await closedKeys(db));
      this.index.beginBulk();
      const warmed = await warmPreparedRecords(db, engine, { ...options, index: this.index });
      // Each from its key rows, or from its subject row where that holds its keys (migrations/028).
      const { rows } = await db.query<[Side, string, string, string | null, string | null, string | null]>({
        text: `SELECT k.side, k.key, k.record_id, k.born_from, k.born_to, k.event_day FROM match_key k
                WHERE NOT k.active AND NOT EXISTS (SELECT 1 FROM match_subject s WHERE s.side = k.side AND s.record_id = k.record_id AND s.keys IS NOT NULL)
               UNION ALL
               SELECT s.side, k.key, s.record_id, s.born_from, s.born_to, s.event_day FROM match_subject s CROSS JOIN unnest(s.keys) AS k(key)
                WHERE NOT s.active AND s.keys IS NOT NULL`,
        rowMode: 'array',
      });
      for (const [side, key, id, bornFrom, bornTo, eventDay] of rows) this.index.addKeyRow(side, id, false, dayOf(bornFrom), dayOf(bornTo), dayOf(eventDay), key);
      this.index.finishRows();
      this.index.endBulk();
      const { rows: floors } = await db.query<{ id: string; floor: number }>('SELECT record_id AS id, floor FROM match_rank_floor');
      for (const { id, floor } of floors) this.index.setFloor(id, floor);
      const collectedInMs = collectGarbage();
      await this.#read(db);
      this.#state = 'ready';
      return { ...warmed, collectedInMs, keys: this.index.size.keys };
    } catch (error) {
      this.#state = 'failed';
      throw error;
    }
  }

  /**
   * Keys closed since the build read them (a worker's count of the keys too common: match-job.ts,
   * warmKeyCounts), closed in the index too; nothing before a build is begun, which reads them all.
   */
  close(keys: Iterable<string>) {
    if (this.#state !== 'cold') this.index.close(keys);
  }

  /** The transaction `xid` (pg_current_xact_id, as text) matched records this process put in the index itself. */
  madeHere(xid: string) {
    this.#mine.add(xid);
  }

  /** Reads the records other processes matched since this one last looked. */
  catchUp(db: Queryable): Promise<number> {
    const read = this.#reading.then(() => this.#read(db));
    this.#reading = read.catch(() => undefined); // a failed read fails its caller's job, not the next read
    return read;
  }

  async #read(db: Queryable): Promise<number> {
    // The rows of transactions the last read could not see (in progress then, or begun since): a
    // long transaction elsewhere holds back the oldest of them, but not what is read again.
    const mine = [...this.#mine];
    const { rows } = await db.query<{ snapshot: string; changes: Change[]; finished: string[] }>(preparedQuery(
      `SELECT pg_current_snapshot()::text AS snapshot, coalesce(json_agg(c), '[]') AS changes,
              array(SELECT x::text FROM unnest($2::xid8[]) AS x WHERE pg_visible_in_snapshot(x, pg_current_snapshot())) AS finished FROM (
         SELECT s.side, s.record_id AS id, s.version, s.active, s.born_from AS "bornFrom", s.born_to AS "bornTo", f.floor, k.keys, k.day AS "eventDay"
           FROM match_subject s
           LEFT JOIN match_rank_floor f ON s.side = 'found' AND f.record_id = s.record_id
           -- Its keys from its subject row where that holds them (migrations/028), else from its key rows.
           CROSS JOIN LATERAL (SELECT s.keys, s.event_day AS day WHERE s.keys IS NOT NULL
                               UNION ALL
                               SELECT coalesce(array_agg(k.key), '{}'), min(k.event_day) FROM match_key k WHERE k.side = s.side AND k.record_id = s.record_id HAVING s.keys IS NULL) k
          WHERE s.changed_xid >= pg_snapshot_xmin($1::pg_snapshot) AND NOT pg_visible_in_snapshot(s.changed_xid, $1::pg_snapshot)
            AND s.changed_xid <> ALL($2::xid8[])) c`,
      [this.#seen, mine],
    ));
    const { snapshot, changes, finished } = rows[0]!;
    // Seen finished (committed or rolled back) by this snapshot: no later read meets their rows.
    for (const xid of finished) this.#mine.delete(xid);
    for (const change of changes) {
      this.index.put(change.side, liveRecordOf(change.id, change.version, change.active, change, change.keys));
      if (change.floor !== null) this.index.setFloor(change.id, change.floor);
    }
    this.#seen = snapshot;
    return changes.length;
  }
}

/** This process's keys of a database's records, shared by its workers. */
export const liveKeysOf = perPool(() => new LiveKeys());
