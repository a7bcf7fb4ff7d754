// A match worker's prepared records, read when it starts. A match job scores a hundred partners or
// more, and preparing each from its stored body (reading it, parsing its JSON, normalising and
// transliterating its names) was most of a job's time in Node whenever the partner was not in the
// worker's cache: at a million records, nearly always. Read here once, every record the worker will
// meet as a partner is prepared before the first job, and a job reads only the bodies of records
// written since (store.ts, preparedPartners).
import { getHeapStatistics } from 'node:v8';
import type { Queryable } from '../records/repository.ts';
import { sides, type ChildRecord } from '../records/sides.ts';
import { blockingKeys } from '../../matchers/blocking.ts';
import type { LiveKeyIndex } from '../../matchers/live-index.ts';
import { narrowingOf, prepareRecord, type MatchEngine, type Narrowing } from './engine.ts';
import { liveRecordOf } from './live-keys.ts';
import { activeStatus } from './match-job.ts';
import { keysDigestOf, photoHashesOfMany, type RecordBody } from './store.ts';
import { collectGarbage } from './collect.ts';

/**
 * Preparing stops once Node's heap holds this share of its limit. Near the limit the collector runs
 * without end: on the 100,000-record bench database, a worker given 450 MB of heap for the 130,000
 * records it had prepared spent 29 ms of CPU a record where it spent 6 with 600 MB, and its p95
 * latency nearly tripled. A national worker needs its heap raised with its cache (README, MATCH_CACHE_RECORDS).
 */
export const heapShareForPrepared = 0.5;

export interface Warmed {
  /** Records prepared. */
  records: number;
  /** What stopped it before every record still looked for was prepared: the cache's room, or the heap. */
  stoppedBy: 'cache' | 'heap' | null;
  /** The milliseconds of the full collection of the warm-up's garbage at its end (collect.ts). */
  collectedInMs: number;
}

/**
 * Prepares the records still looked for (both sides, in id order, `chunk` at a time) into the
 * engine's cache, until it holds as many as it can without forgetting any (engine.ts, cacheRoom)
 * or the heap is `heapShare` full. Jobs may run meanwhile: a record they prepare first is found in
 * the cache here. With `index`, every record still looked for is put in it with its keys, those
 * past the cache's room prepared for their keys alone and let go (live-keys.ts). Its garbage is
 * collected at the end (collect.ts).
 */
export async function warmPreparedRecords(db: Queryable, engine: MatchEngine, { chunk = 5000, heapShare = heapShareForPrepared, index }: { chunk?: number; heapShare?: number; index?: LiveKeyIndex } = {}): Promise<Warmed> {
  let records = 0;
  let stoppedBy: Warmed['stoppedBy'] = null;
  for (const side of ['missing', 'found'] as const) {
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const room = engine.cacheRoom - engine.cacheSize;
      const heap = getHeapStatistics();
      stoppedBy ??= room <= 0 ? 'cache' : heap.used_heap_size > heapShare * heap.heap_size_limit ? 'heap' : null;
      if (stoppedBy && !index) return { records, stoppedBy, collectedInMs: collectGarbage() };
      const { rows } = await db.query<RecordBody>(
        // Still looked for as the match job says (match-job.ts): its status, and not merged into another.
        `SELECT id, version, record, places FROM ${sides[side].table} WHERE id > $1 AND status = $2 AND merged_into IS NULL ORDER BY id LIMIT $3`,
        [after, activeStatus[side], stoppedBy ? chunk : Math.min(chunk, room)],
      );
      if (!rows.length) break;
      after = rows[rows.length - 1]!.id;
      if (stoppedBy) {
        for (const row of rows) {
          const prepared = prepareRecord(side, row.record as unknown as ChildRecord, [], row.places);
          heldWithKeys(index!, side, row.id, row.version, narrowingOf(prepared), blockingKeys(prepared));
        }
        continue;
      }
      const photos = await photoHashesOfMany(db, side, rows.map((row) => row.id));
      for (const row of rows) {
        const subject = engine.prepare(side, row.id, row.version, row.record as unknown as ChildRecord, photos.get(row.id) ?? [], row.places);
        // Its keys derived apart: the subject would keep them, and only records being matched need them kept.
        if (index) heldWithKeys(index, side, row.id, row.version, subject.narrowing, blockingKeys(subject.prepared));
      }
      records += rows.length;
    }
  }
  // With an index its builder collects, once it is done (live-keys.ts).
  return { records, stoppedBy, collectedInMs: index ? 0 : collectGarbage() };
}

/**
 * A record still looked for put in the keys in memory, with the digest of its keys that its match
 * job works out too (store.ts, keysDigestOf): a re-match that finds the record as it was put leaves
 * it as it is (matchers/live-index.ts, put), where it looked up its seventy-odd keys again.
 */
function heldWithKeys(index: LiveKeyIndex, side: 'missing' | 'found', id: string, version: number, narrowing: Narrowing, keys: string[]) {
  index.put(side, liveRecordOf(id, version, true, narrowing, keys), keysDigestOf({ keys, narrowing, active: true }));
}
