// What the benches share on the local PostgreSQL server: its address, statements run outside any
// bench database (creating and dropping one), a bench database's address, and COPY of rows.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

export const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** The address of a database of this name on the same server. */
export const databaseUrl = (name: string) => Object.assign(new URL(serverUrl), { pathname: `/${name}` }).toString();

/** Runs one statement on the server's own database (CREATE DATABASE, DROP DATABASE). */
export async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  await client.query(sql);
  await client.end();
}

// COPY's text format: tab-separated, \N for null, backslash escapes.
const tsv = (value: unknown) => (value === null || value === undefined ? '\\N' : String(value).replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!));

/** How much of COPY's text one CopyData message carries (any cut is allowed, rows need not end there). */
const copyChunkChars = 1 << 16;

/**
 * Streams rows into `COPY ... FROM STDIN` on one connection of the pool, many rows to a message: a
 * row to a message was two writes to the socket each (pg-copy-streams writes a message's length and
 * its text apart), a national load's 90 million rows as many system calls on both sides.
 */
export async function copyRows(pool: pg.Pool, sql: string, rows: Iterable<unknown[]>): Promise<void> {
  const client = await pool.connect();
  try {
    const lines = (function* () {
      let chunk = '';
      for (const row of rows) {
        chunk += `${row.map(tsv).join('\t')}\n`;
        if (chunk.length >= copyChunkChars) {
          yield chunk;
          chunk = '';
        }
      }
      if (chunk) yield chunk;
    })();
    await pipeline(Readable.from(lines), client.query(copyFrom(sql)));
  } finally {
    client.release();
  }
}

/** How to build again the indexes and the primary key dropIndexes took off a table. */
export interface DroppedIndexes {
  table: string;
  statements: string[];
}

/** Drops a table's indexes (its primary key included) before a bulk load; restoreIndexes builds them again. */
export async function dropIndexes(pool: pg.Pool, table: string): Promise<DroppedIndexes> {
  const { rows } = await pool.query<{ name: string; definition: string; constraintName: string | null; constraint: string | null }>(
    `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition, c.conname AS "constraintName",
            pg_get_constraintdef(c.oid) AS constraint
       FROM pg_index i LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.contype = 'p'
      WHERE i.indrelid = $1::regclass`,
    [table],
  );
  const statements: string[] = [];
  for (const row of rows) {
    if (row.constraintName) {
      await pool.query(`ALTER TABLE ${table} DROP CONSTRAINT ${row.constraintName}`);
      statements.push(`ALTER TABLE ${table} ADD CONSTRAINT ${row.constraintName} ${row.constraint}`);
    } else {
      await pool.query(`DROP INDEX ${row.name}`);
      statements.push(row.definition);
    }
  }
  return { table, statements };
}

/** Builds the indexes dropIndexes dropped, with room to sort in memory. */
export async function restoreIndexes(pool: pg.Pool, dropped: DroppedIndexes): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query(`SET maintenance_work_mem = '1GB'`);
    for (const statement of dropped.statements) await client.query(statement);
  } finally {
    await client.query('RESET maintenance_work_mem');
    client.release();
  }
}
