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

/** Streams rows into `COPY ... FROM STDIN` on one connection of the pool. */
export async function copyRows(pool: pg.Pool, sql: string, rows: Iterable<unknown[]>): Promise<void> {
  const client = await pool.connect();
  try {
    const lines = (function* () {
      for (const row of rows) yield `${row.map(tsv).join('\t')}\n`;
    })();
    await pipeline(Readable.from(lines), client.query(copyFrom(sql)));
  } finally {
    client.release();
  }
}
