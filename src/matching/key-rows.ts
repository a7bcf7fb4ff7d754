// Whether match jobs write every record's keys as rows of the key table (config.ts, MATCH_KEY_ROWS).
// The table serves the database's search of partners: a worker that holds every record's keys in
// memory searches there once its start has read them (live-keys.ts), and the table only for jobs
// before that. With MATCH_KEY_ROWS=off such a worker takes no job until its keys are read, and writes
// no key row: a record's keys go on its subject row (migrations/028), where other processes read them.
// At national scale that left out a fifth of the database server's work while records were filed,
// and half of the database (bench/FIGURES.md, 2026-12-07).
//
// The table must then never be searched while it lacks records: a worker that writes key rows first
// writes those of every record whose keys its subject row holds (rebuildKeyRows), and refuses to start
// while a process that writes none is running on the same database (it holds keyRowsOffLock).
import type pg from 'pg';
import type { Database } from '../db/database.ts';
import { withTransaction } from '../db/database.ts';

/** Held shared by every process whose workers write no key rows, for as long as they run (on a PostgreSQL server). */
const keyRowsOffLock = 'milap:key-rows-off';

/** Held by a process writing the key rows the others left out (rebuildKeyRows), to its transaction's end. */
const rebuildLock = 'milap:key-rows-rebuild';

export class KeyRowsOffRunning extends Error {}

/** Whether any record's keys are held on its subject row (by the partial index of migrations/028). */
const anyHeldSql = 'SELECT EXISTS (SELECT 1 FROM match_subject WHERE keys IS NOT NULL) AS held';

/**
 * Takes keyRowsOffLock, shared, on a connection of its own, for as long as this process's workers
 * write no key rows; returns its release. On PGlite, whose one connection is the process's, nothing
 * is held: no other process can open its database.
 */
export async function holdKeyRowsOff(database: Database): Promise<() => Promise<void>> {
  if (database.kind !== 'postgres') return async () => {};
  const client = await database.pool.connect();
  const lock = (verb: string) => client.query(`SELECT ${verb}(hashtextextended($1, 0))`, [keyRowsOffLock]);
  try {
    await lock('pg_advisory_lock_shared');
  } catch (error) {
    client.release(error instanceof Error ? error : true);
    throw error;
  }
  let releasing: Promise<void> | null = null;
  return () =>
    (releasing ??= lock('pg_advisory_unlock_shared').then(
      () => client.release(),
      // A connection that cannot say so is closed: its end lets go of the session's lock.
      (error: unknown) => client.release(error instanceof Error ? error : true),
    ));
}

/**
 * Makes the key table whole before a worker that writes key rows searches it: the rows of every record
 * whose keys its subject row holds are written, and cleared there (rebuildKeyRows). Throws
 * KeyRowsOffRunning while a process that writes no key rows holds keyRowsOffLock: its records would
 * be missing from the table again. Returns how many records' rows were written.
 */
export async function ensureKeyRows(database: Database): Promise<number> {
  const { rows } = await database.pool.query<{ held: boolean }>(anyHeldSql);
  if (!rows[0]!.held) return 0;
  return rebuildKeyRows(database.pool, database.kind === 'postgres');
}

const running = () =>
  new KeyRowsOffRunning(
    'worker processes that write no key rows (MATCH_KEY_ROWS=off) are running on this database: stop them, or set MATCH_KEY_ROWS=off here too, before this worker, which writes key rows, starts',
  );

/**
 * Writes the key rows of every record whose keys its subject row holds (migrations/028), in place of
 * any rows it had, and clears them there, in one transaction; with `lock`, one process at a time, and
 * holding keyRowsOffLock to its end (KeyRowsOffRunning if another process holds it). Returns how many
 * records that was.
 */
export async function rebuildKeyRows(db: pg.Pool | pg.PoolClient, lock = false): Promise<number> {
  return withTransaction(db, async (tx) => {
    if (lock) {
      // Worker processes started together rebuild one after another, the later finding nothing left;
      // keyRowsOffLock is then tried, not waited for: a process that writes no key rows holds it as long as it runs.
      await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [rebuildLock]);
      const { rows: [left] } = await tx.query<{ held: boolean }>(anyHeldSql);
      if (!left!.held) return 0;
      const { rows } = await tx.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked', [keyRowsOffLock]);
      if (!rows[0]!.locked) throw running();
    }
    // A chunk of records at a time, each statement by the records' ids: joined to the subjects instead,
    // the delete read the whole key table (13.7 s for 7,616 records at national scale, 2026-12-07).
    let written = 0;
    for (const side of ['missing', 'found'] as const) {
      for (let after = '00000000-0000-0000-0000-000000000000'; ; ) {
        const { rows } = await tx.query<{ id: string }>(
          'SELECT record_id AS id FROM match_subject WHERE side = $1 AND keys IS NOT NULL AND record_id > $2 ORDER BY record_id LIMIT $3',
          [side, after, rebuildChunk],
        );
        if (!rows.length) break;
        const ids = rows.map((row) => row.id);
        await tx.query('DELETE FROM match_key WHERE side = $1 AND record_id = ANY($2::uuid[])', [side, ids]);
        await tx.query(
          `INSERT INTO match_key (side, record_id, key, born_from, born_to, active, event_day)
           SELECT s.side, s.record_id, k.key, s.born_from, s.born_to, s.active, s.event_day
             FROM match_subject s CROSS JOIN unnest(s.keys) AS k(key) WHERE s.side = $1 AND s.record_id = ANY($2::uuid[])`,
          [side, ids],
        );
        await tx.query('UPDATE match_subject SET keys = NULL, event_day = NULL WHERE side = $1 AND record_id = ANY($2::uuid[])', [side, ids]);
        written += ids.length;
        after = ids[ids.length - 1]!;
      }
    }
    return written;
  });
}

/** Records whose key rows rebuildKeyRows writes by one set of statements. */
const rebuildChunk = 5000;
