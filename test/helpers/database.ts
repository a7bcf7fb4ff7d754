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

export async function createTestDatabase(): Promise<TestDatabase> {
  const template = inject('templateDatabase');
  const base = process.env.DATABASE_URL;
  let url: string | null = null;
  let database: Database;
  if (base && template) {
    const name = `${template.replace(/_template$/, '')}_t_${randomBytes(5).toString('hex')}`;
    await adminQuery(base, `CREATE DATABASE "${name}" TEMPLATE "${template}"`);
    url = databaseUrl(base, name);
    database = await openDatabase({ DATABASE_URL: url, MILAP_DATA_DIR: '', DATABASE_POOL_SIZE: 5 });
  } else {
    database = await openDatabase({ MILAP_DATA_DIR: 'memory://', DATABASE_POOL_SIZE: 1 });
    await migrate(database.pool);
  }
  const boss = await startQueue(database, { supervise: false });
  return {
    database,
    boss,
    url,
    async close() {
      await boss.stop({ graceful: false, close: false });
      await database.close();
      if (base && url) await adminQuery(base, `DROP DATABASE IF EXISTS "${new URL(url).pathname.slice(1)}" WITH (FORCE)`);
    },
  };
}

/** A database with no migration applied, for a test of a migration itself: a new database on PostgreSQL, or an in-memory PGlite. */
export async function createEmptyDatabase(): Promise<{ database: Database; close(): Promise<void> }> {
  const template = inject('templateDatabase');
  const base = process.env.DATABASE_URL;
  if (!(base && template)) {
    const database = await openDatabase({ MILAP_DATA_DIR: 'memory://', DATABASE_POOL_SIZE: 1 });
    return { database, close: () => database.close() };
  }
  const name = `${template.replace(/_template$/, '')}_e_${randomBytes(5).toString('hex')}`;
  await adminQuery(base, `CREATE DATABASE "${name}"`);
  const database = await openDatabase({ DATABASE_URL: databaseUrl(base, name), MILAP_DATA_DIR: '', DATABASE_POOL_SIZE: 2 });
  return {
    database,
    async close() {
      await database.close();
      await adminQuery(base, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
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
