// The pages match jobs read at random, read back into a PostgreSQL server's page cache once a worker
// process's start has read every record. That start reads gigabytes at national scale (12 GB in
// all on the development machine), and where the server's page cache cannot hold the whole
// database they push out the pages a match job then reads one at a time: the key table's indexes,
// the subject, rank-floor, pair and due tables with theirs, the explanations' index. A job then
// waits on the disk for each (p95 63.8-75.8 ms after a national start, against 25.6-32.9 ms with
// them read back: README, Operations), until its own traffic has read them back, which took
// the rest of a bench run. Read back here in one pass by pg_prewarm, PostgreSQL's own module for it.
import type pg from 'pg';
import type { Database } from '../db/database.ts';
import { ifFirst } from '../db/advisory-lock.ts';

/** The relations match jobs read at random: `heap` false reads a table's indexes only (its rows are read by the key, in order, or not at all by a job). */
export const matchPages: readonly { table: string; heap: boolean }[] = [
  { table: 'match_key', heap: false },
  { table: 'match_subject', heap: true },
  { table: 'match_rank_floor', heap: true },
  { table: 'candidate_pair', heap: true },
  { table: 'candidate_explanation', heap: false },
  { table: 'pair_reweigh_due', heap: true },
];

/** The relations match jobs read at random where they write no key rows (key-rows.ts): the key table is never read then. */
const matchPagesWithoutKeyRows = matchPages.filter((relation) => relation.table !== 'match_key');

export type ReadBack =
  | { read: true; megabytes: number; seconds: number }
  /** Not read: why (the embedded database, the module not there, or another process reading them now). */
  | { read: false; reason: string };

/** The advisory lock held while one process reads them back: two workers started together read them once. */
const readBackLock = 'milap:read-back-match-pages';

/**
 * Reads matchPages (their indexes, and their rows where asked; without the key table's where `keyRows`
 * is false, MATCH_KEY_ROWS=off) into the server's page cache with
 * pg_prewarm, creating the extension when it is missing and this role may (a superuser: the module
 * is not a trusted one). Never throws for what a deployment may lack: without the module, or the
 * right to create it or to read a table, it says why and reads nothing. Nothing on the embedded
 * database, whose pages are in this process's own memory.
 */
export async function readBackMatchPages(database: Pick<Database, 'kind' | 'pool'>, { keyRows = true }: { keyRows?: boolean } = {}): Promise<ReadBack> {
  const tables = keyRows ? matchPages : matchPagesWithoutKeyRows;
  if (database.kind !== 'postgres') return { read: false, reason: 'the embedded database keeps its pages in memory' };
  let client: pg.PoolClient;
  try {
    client = await database.pool.connect();
  } catch (error) {
    return { read: false, reason: `no connection: ${messageOf(error)}` };
  }
  try {
    if (!(await withExtension(client))) return { read: false, reason: 'the pg_prewarm module is not installed in this database, and this role may not create it (CREATE EXTENSION pg_prewarm, as a superuser)' };
    // Each table's rows when asked, and every index of it; 'read' reads through the operating
    // system's page cache, which is what the start's reading emptied (the server's own buffers
    // hold little, and a large scan goes through a small ring of them).
    const readBack = await ifFirst(client, readBackLock, async (): Promise<ReadBack> => {
      const started = performance.now();
      const { rows: [read] } = await client.query<{ blocks: string }>(
        `SELECT coalesce(sum(pg_prewarm(r.oid, 'read')), 0) AS blocks
           FROM unnest($1::text[], $2::boolean[]) AS t(name, heap)
           CROSS JOIN LATERAL (SELECT t.name::regclass::oid AS oid WHERE t.heap
                               UNION ALL SELECT indexrelid FROM pg_index WHERE indrelid = t.name::regclass) AS r`,
        [tables.map((t) => t.table), tables.map((t) => t.heap)],
      );
      return { read: true, megabytes: Math.round((Number(read!.blocks) * 8192) / 1e6), seconds: Number(((performance.now() - started) / 1000).toFixed(1)) };
    });
    return readBack ?? { read: false, reason: 'another process is reading them back' };
  } catch (error) {
    // A table this role may not read, or the server gone meanwhile: the jobs read the pages themselves.
    return { read: false, reason: messageOf(error) };
  } finally {
    client.release();
  }
}

/** Whether pg_prewarm is installed in the database, created now if this role may. */
async function withExtension(client: pg.PoolClient): Promise<boolean> {
  const installed = async () => (await client.query(`SELECT 1 FROM pg_extension WHERE extname = 'pg_prewarm'`)).rowCount === 1;
  if (await installed()) return true;
  const { rowCount } = await client.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'pg_prewarm'`);
  if (!rowCount) return false;
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_prewarm');
    return true;
  } catch {
    // Not allowed, or created at the same moment by another process (a unique violation): which, it says.
    return installed();
  }
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
