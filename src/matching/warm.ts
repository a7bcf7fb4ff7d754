// A match worker's prepared records, read when it starts. A match job scores a hundred partners or
// more, and preparing each from its stored body (reading it, parsing its JSON, normalising and
// transliterating its names) was most of a job's time in Node whenever the partner was not in the
// worker's cache: at a million records, nearly always. Read here once, every record the worker will
// meet as a partner is prepared before the first job, and a job reads only the bodies of records
// written since (store.ts, preparedPartners).
import type { Queryable } from '../records/repository.ts';
import type { ChildRecord } from '../records/sides.ts';
import type { MatchEngine } from './engine.ts';
import { photoHashesOfMany, type RecordBody } from './store.ts';

const tables = [['missing', 'missing_report', 'open'], ['found', 'found_child', 'in_care']] as const;

/**
 * Prepares the records still looked for (both sides, in id order, `chunk` at a time) into the
 * engine's cache, until it holds as many as it can without forgetting any (engine.ts, cacheRoom).
 * Jobs may run meanwhile: a record they prepare first is found in the cache here. Returns how many
 * were prepared and whether every record still looked for was.
 */
export async function warmPreparedRecords(db: Queryable, engine: MatchEngine, chunk = 5000): Promise<{ records: number; complete: boolean }> {
  let records = 0;
  for (const [side, table, activeStatus] of tables) {
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const room = engine.cacheRoom - engine.cacheSize;
      if (room <= 0) return { records, complete: false };
      const { rows } = await db.query<RecordBody>(
        `SELECT id, version, record, places FROM ${table} WHERE id > $1 AND status = $2 AND merged_into IS NULL ORDER BY id LIMIT $3`,
        [after, activeStatus, Math.min(chunk, room)],
      );
      if (!rows.length) break;
      after = rows[rows.length - 1]!.id;
      const photos = await photoHashesOfMany(db, side, rows.map((row) => row.id));
      for (const row of rows) engine.prepare(side, row.id, row.version, row.record as unknown as ChildRecord, photos.get(row.id) ?? [], row.places);
      records += rows.length;
    }
  }
  return { records, complete: true };
}
