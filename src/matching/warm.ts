// A match worker's prepared records, read when it starts. A match job scores a hundred partners or
// more, and preparing each from its stored body (reading it, parsing its JSON, normalising and
// transliterating its names) was most of a job's time in Node whenever the partner was not in the
// worker's cache: at a million records, nearly always. Read here once, every record the worker will
// meet as a partner is prepared before the first job, and a job reads only the bodies of records
// written since (store.ts, preparedPartners).
import { getHeapStatistics } from 'node:v8';
import type { Queryable } from '../records/repository.ts';
import { sides, type ChildRecord } from '../records/sides.ts';
import type { MatchEngine } from './engine.ts';
import { activeStatus } from './match-job.ts';
import { photoHashesOfMany, type RecordBody } from './store.ts';

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
}

/**
 * Prepares the records still looked for (both sides, in id order, `chunk` at a time) into the
 * engine's cache, until it holds as many as it can without forgetting any (engine.ts, cacheRoom)
 * or the heap is `heapShare` full. Jobs may run meanwhile: a record they prepare first is found in
 * the cache here.
 */
export async function warmPreparedRecords(db: Queryable, engine: MatchEngine, { chunk = 5000, heapShare = heapShareForPrepared } = {}): Promise<Warmed> {
  let records = 0;
  for (const side of ['missing', 'found'] as const) {
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const room = engine.cacheRoom - engine.cacheSize;
      if (room <= 0) return { records, stoppedBy: 'cache' };
      const heap = getHeapStatistics();
      if (heap.used_heap_size > heapShare * heap.heap_size_limit) return { records, stoppedBy: 'heap' };
      const { rows } = await db.query<RecordBody>(
        // Still looked for as the match job says (match-job.ts): its status, and not merged into another.
        `SELECT id, version, record, places FROM ${sides[side].table} WHERE id > $1 AND status = $2 AND merged_into IS NULL ORDER BY id LIMIT $3`,
        [after, activeStatus[side], Math.min(chunk, room)],
      );
      if (!rows.length) break;
      after = rows[rows.length - 1]!.id;
      const photos = await photoHashesOfMany(db, side, rows.map((row) => row.id));
      for (const row of rows) engine.prepare(side, row.id, row.version, row.record as unknown as ChildRecord, photos.get(row.id) ?? [], row.places);
      records += rows.length;
    }
  }
  return { records, stoppedBy: null };
}
