// Work one process at a time across every process on a database: an advisory lock, tried, not waited for.
import type pg from 'pg';

/**
 * Runs `work` on this client unless another process holds the advisory lock named `lock`: one
 * process at a time. Its result, or undefined when another process held the lock and it did not run.
 */
export async function ifFirst<T>(client: pg.PoolClient, lock: string, work: () => Promise<T>): Promise<T | undefined> {
  const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked', [lock]);
  if (!rows[0]?.locked) return undefined;
  try {
    return await work();
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [lock]);
  }
}
