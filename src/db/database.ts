// One `pg` Pool whatever the database: a PostgreSQL server when DATABASE_URL is set, else an embedded
// PGlite under the data directory behind the same Pool interface, so the SQL and code paths are one.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { fuzzystrmatch } from '@electric-sql/pglite/contrib/fuzzystrmatch';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import type { Config } from '../config.ts';

// Dates stay 'YYYY-MM-DD' strings, as the record format has them, instead of local-midnight Dates.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export interface Database {
  kind: 'postgres' | 'pglite';
  pool: pg.Pool;
  /** The embedded instance, when there is one (pg-boss runs on it through the same pool). */
  pglite: PGlite | null;
  close(): Promise<void>;
}

export async function openDatabase(config: Pick<Config, 'DATABASE_URL' | 'MILAP_DATA_DIR' | 'DATABASE_POOL_SIZE'>): Promise<Database> {
  if (config.DATABASE_URL) {
    const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: config.DATABASE_POOL_SIZE });
    // A client losing its server (a restart) must not crash the process. An idle one is the pool's
    // to replace; one checked out between two queries has no listener of pg-pool's, so each client
    // gets its own: the query in flight or the next one fails, and the client is dropped on release.
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
    return { kind: 'postgres', pool, pglite: null, close: () => pool.end() };
  }
  const dataDir = config.MILAP_DATA_DIR.startsWith('memory://') ? config.MILAP_DATA_DIR : resolve(config.MILAP_DATA_DIR);
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const pglite = await PGlite.create(dataDir, { extensions: { pg_trgm, fuzzystrmatch, unaccent } });
  const pool = new pg.Pool({ ...createPgConfig(pglite), Client: UnnamedClient });
  return {
    kind: 'pglite',
    pool,
    pglite,
    async close() {
      await pool.end();
      await pglite.close();
    },
  };
}

/**
 * A client of the embedded PGlite: a statement prepared by name (prepared.ts, preparedQuery) is sent
 * unnamed. The pool's one connection is one session whatever client holds it, and a client that
 * replaced another does not know which names that one prepared.
 */
class UnnamedClient extends pg.Client {
  // One signature for query's overloads: a config with a name loses it; everything else passes as given.
  override query(config: unknown, ...rest: unknown[]) {
    if (config !== null && typeof config === 'object' && 'name' in config && !('submit' in config)) {
      const { name: _name, ...unnamed } = config;
      // @ts-expect-error -- as given
      return super.query(unnamed, ...rest);
    }
    // @ts-expect-error -- as given
    return super.query(config, ...rest);
  }
}

/**
 * Runs `work` in one transaction on one client; commits on success, rolls back on any error. Given a
 * client, not a pool, on that client (one not in a transaction already: a sweeper's, holding its lock).
 */
export async function withTransaction<T>(db: pg.Pool | pg.PoolClient, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const given = 'release' in db;
  const client = given ? db : await db.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    if (!given) client.release();
  }
}
