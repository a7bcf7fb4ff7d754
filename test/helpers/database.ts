// A fresh, migrated database for one test file: a copy of the template on PostgreSQL, or an
// in-memory PGlite. Both are real databases; nothing is mocked.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { PgBoss } from 'pg-boss';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { startQueue } from '../../src/jobs/queue.ts';
import { databaseUrl } from '../global-setup.ts';

export interface TestDatabase {
  database: Database;
  boss: PgBoss;
  /** The connection string of this copy, when on PostgreSQL (for child processes). */
  url: string | null;
  close(): Promise<void>;
}

export const onPostgres = Boolean(process.env.DATABASE_URL);

/**
 * Runs `work` with `count` sessions of the pool, each in a transaction begun for it (the test commits
 * them in the order it means to), then rolls back whatever the test left open and lets them go.
 */
export async function inTransactions<T>(pool: pg.Pool, count: number, work: (sessions: pg.PoolClient[]) => Promise<T>): Promise<T> {
  const sessions: pg.PoolClient[] = [];
  try {
    for (let n = 0; n < count; n++) {
      sessions.push(await pool.connect());
      await sessions[n]!.query('BEGIN');
    }
    return await work(sessions);
  } finally {
    for (const session of sessions) {
      await session.query('ROLLBACK').catch(() => {});
      session.release();
    }
  }
}

/** Returns once a session of this database waits for a lock: `who` has reached a row another transaction holds. */
export async function waitingForALock(pool: pg.Pool, who: string): Promise<void> {
  for (let waited = 0; ; waited += 20) {
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
    if (rows[0].n > 0) return;
    if (waited > 5000) throw new Error(`${who} never waited for the row another transaction holds`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const { database, url, drop } = await newDatabase({ migrated: true, poolSize: 5 });
  const boss = await startQueue(database, { supervise: false });
  return {
    database,
    boss,
    url,
    async close() {
      await boss.stop({ graceful: false, close: false });
      await database.close();
      await drop();
    },
  };
}

/** A database with no migration applied, for a test of a migration itself: a new database on PostgreSQL, or an in-memory PGlite. */
export async function createEmptyDatabase(): Promise<{ database: Database; close(): Promise<void> }> {
  const { database, drop } = await newDatabase({ migrated: false, poolSize: 2 });
  return {
    database,
    async close() {
      await database.close();
      await drop();
    },
  };
}

/**
 * A database of its own: on PostgreSQL a copy of the migrated template, or a new empty one; else an
 * in-memory PGlite, migrated or not. `drop` removes the server's database once it is closed.
 */
async function newDatabase(options: { migrated: boolean; poolSize: number }): Promise<{ database: Database; url: string | null; drop(): Promise<void> }> {
  const template = inject('templateDatabase');
  const base = process.env.DATABASE_URL;
  if (!(base && template)) {
    const database = await openDatabase({ MILAP_DATA_DIR: 'memory://', DATABASE_POOL_SIZE: 1 });
    if (options.migrated) await migrate(database.pool);
    return { database, url: null, drop: async () => {} };
  }
  const name = `${template.replace(/_template$/, '')}_${options.migrated ? 't' : 'e'}_${randomBytes(5).toString('hex')}`;
  await adminQuery(base, options.migrated ? `CREATE DATABASE "${name}" TEMPLATE "${template}"` : `CREATE DATABASE "${name}"`);
  const url = databaseUrl(base, name);
  const database = await openDatabase({ DATABASE_URL: url, MILAP_DATA_DIR: '', DATABASE_POOL_SIZE: options.poolSize });
  return { database, url, drop: () => adminQuery(base, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

async function adminQuery(base: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
