// The statements a match worker sends on every job are prepared once per connection on PostgreSQL
// (src/db/prepared.ts); on the embedded PGlite, whose one session outlives the clients that hold it,
// they go unnamed. Either way each run answers for its own values, past the five runs after which
// PostgreSQL may keep one plan made without them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preparedQuery } from '../../src/db/prepared.ts';
import { createTestDatabase, onPostgres, type TestDatabase } from '../helpers/database.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db.close());

const countIn = 'SELECT count(*)::int AS n FROM generate_series(1, 1000) AS g WHERE g = ANY($1::int[])';
const sumIn = 'SELECT coalesce(sum(g), 0)::int AS n FROM generate_series(1, 1000) AS g WHERE g = ANY($1::int[])';

describe('a statement prepared by name', () => {
  it('is named by its text: the same text the same name, another text another', () => {
    const first = preparedQuery(countIn, [[1]]);
    expect(preparedQuery(countIn, [[2, 3]]).name).toBe(first.name);
    expect(preparedQuery(sumIn, [[1]]).name).not.toBe(first.name);
    expect(preparedQuery(countIn, [[2, 3]]).values).toEqual([[2, 3]]);
  });

  it('answers for the values of each run, and is prepared once on a connection to PostgreSQL only', async () => {
    const client = await db.database.pool.connect();
    try {
      let runs = 0;
      for (let size = 0; size < 40; size += 3, runs++) {
        const values = Array.from({ length: size }, (_, i) => 2 * i + 1);
        const { rows: [count] } = await client.query<{ n: number }>(preparedQuery(countIn, [values]));
        const { rows: [sum] } = await client.query<{ n: number }>(preparedQuery(sumIn, [values]));
        expect(count!.n).toBe(size);
        expect(sum!.n).toBe(size * size);
      }
      // Each text parsed once on this connection and run every time, by a plan for its values or one for all.
      const { rows } = await client.query<{ statement: string; runs: number }>(
        `SELECT statement, (generic_plans + custom_plans)::int AS runs FROM pg_prepared_statements WHERE name = ANY($1::text[])`,
        [[preparedQuery(countIn, []).name, preparedQuery(sumIn, []).name]],
      );
      expect(Object.fromEntries(rows.map((row) => [row.statement, row.runs]))).toEqual(onPostgres ? { [countIn]: runs, [sumIn]: runs } : {});
    } finally {
      client.release();
    }
  });
});
