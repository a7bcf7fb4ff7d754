// Migrations: applied once, recorded with a checksum, safe when two processes start at once, and a
// changed file refused with a message that says what to do.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scorePrepared } from '../../matchers/model.ts';
import { prepareFound, prepareMissing } from '../../matchers/prepare.ts';
import { migrate, readMigrations } from '../../src/db/migrate.ts';
import { digestOf, explanationDigestOf, explanationOfStored, storedExplanationOf } from '../../src/matching/store.ts';
import { createEmptyDatabase, createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { fullFoundChild, fullMissingReport } from '../helpers/people.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db.close());

function migrationsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'milap-migrations-'));
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
  return dir;
}

describe('migrations', () => {
  it('the shipped migrations are all applied and recorded with their checksums', async () => {
    const { rows } = await db.database.pool.query('SELECT name, checksum FROM schema_migration ORDER BY version');
    expect(rows).toEqual(readMigrations().map(({ name, checksum }) => ({ name, checksum })));
    expect(await migrate(db.database.pool)).toEqual([]);
  });

  it('two processes migrating at once apply each new migration exactly once', async () => {
    const dir = migrationsDir({ '900_counter.sql': 'CREATE TABLE test_counter (n integer); INSERT INTO test_counter VALUES (1);' });
    const all = [...readMigrations(), ...readMigrations(dir)];
    const results = await Promise.all([migrate(db.database.pool, all), migrate(db.database.pool, all)]);
    expect(results.flat()).toEqual(['900_counter.sql']);
    const { rows } = await db.database.pool.query('SELECT count(*)::int AS n FROM test_counter');
    expect(rows[0].n).toBe(1);
  });

  it('a failing migration leaves nothing behind and is not recorded', async () => {
    const dir = migrationsDir({ '901_broken.sql': 'CREATE TABLE half_done (n integer); SELECT no_such_function();' });
    await expect(migrate(db.database.pool, [...readMigrations(), ...readMigrations(dir)])).rejects.toThrow('901_broken.sql failed');
    expect((await db.database.pool.query(`SELECT to_regclass('half_done') AS t`)).rows[0].t).toBeNull();
    expect((await db.database.pool.query('SELECT 1 FROM schema_migration WHERE version = 901')).rowCount).toBe(0);
  });

  it('an applied migration whose file changed is refused with a clear error', async () => {
    const changed = readMigrations().map((m, i) => (i === 0 ? { ...m, sql: `${m.sql}\n-- edited`, checksum: 'f'.repeat(64) } : m));
    await expect(migrate(db.database.pool, changed)).rejects.toThrow(/001_records\.sql was changed after it was applied/);
  });
});

describe('027, explanations stored as entries', () => {
  it("turns every stored explanation, decided explanation and possible duplicate's explanation into the text a match stores, with the digest a match computes", async () => {
    const empty = await createEmptyDatabase();
    try {
      const pool = empty.database.pool;
      const migrations = readMigrations();
      await migrate(pool, migrations.filter((m) => m.version < 27));
      const scored = scorePrepared(prepareMissing(fullMissingReport()), prepareFound(fullFoundChild())).explanation;
      // Text that JSON escapes, a script other than Latin, a weight of zero and a whole one.
      const odd = [{ comparison: 'name', level: 'said "ज्योति" \\ twice', weight: -0.5 }, { comparison: 'age', level: 'close', weight: 0 }, { comparison: 'prior', level: 'base rate', weight: 12 }];
      // As the code before 027 stored them: the objects' JSON as jsonb, its MD5 the digest (migrations/023).
      const oldDigest = (explanation: object) => digestOf(JSON.stringify(explanation));
      const client = await pool.connect();
      try {
        // The pairs' records are not this test's subject.
        await client.query('SET session_replication_role = replica');
        const pairs = [
          { explanation: scored, decided: null, digest: oldDigest(scored) },
          { explanation: odd, decided: scored, digest: null },
          { explanation: [], decided: [], digest: oldDigest([]) },
        ];
        for (const [n, pair] of pairs.entries()) {
          await client.query(
            `WITH p AS (INSERT INTO candidate_pair (id, missing_id, found_id, probability, pair_probability, match_weight, model_version, missing_version, found_version, explanation_digest)
                        VALUES ($1, gen_random_uuid(), gen_random_uuid(), 0.5, 0.5, 0, 'test', 1, 1, $2) RETURNING id)
             INSERT INTO candidate_explanation (pair_id, explanation, decided_explanation) SELECT id, $3, $4 FROM p`,
            [`00000000-0000-4000-8000-00000000000${n}`, pair.digest, JSON.stringify(pair.explanation), pair.decided && JSON.stringify(pair.decided)],
          );
        }
        await client.query(
          `INSERT INTO duplicate_pair (side, record_a, record_b, probability, match_weight, explanation, model_version) VALUES ('found', '00000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-00000000000b', 0.9, 3, $1, 'test')`,
          [JSON.stringify(odd)],
        );
        await client.query('SET session_replication_role = DEFAULT');
      } finally {
        client.release();
      }
      expect(await migrate(pool, migrations)).toContain('027_compact_explanations.sql');

      const { rows } = await pool.query<{ explanation: string; decided: string | null; digest: string | null }>(
        `SELECT e.explanation::text AS explanation, e.decided_explanation::text AS decided, c.explanation_digest::text AS digest
           FROM candidate_pair c JOIN candidate_explanation e ON e.pair_id = c.id ORDER BY c.id`,
      );
      expect(rows).toEqual([
        { explanation: storedExplanationOf(scored), decided: null, digest: explanationDigestOf(scored).digest },
        { explanation: storedExplanationOf(odd), decided: storedExplanationOf(scored), digest: null },
        { explanation: '[]', decided: '[]', digest: explanationDigestOf([]).digest },
      ]);
      const duplicates = await pool.query<{ explanation: string }>('SELECT explanation::text AS explanation FROM duplicate_pair');
      expect(duplicates.rows).toEqual([{ explanation: storedExplanationOf(odd) }]);
      expect(explanationOfStored(JSON.parse(rows[0]!.explanation))).toEqual(scored);
      expect(explanationOfStored(JSON.parse(rows[1]!.explanation))).toEqual(odd);
      expect(storedExplanationOf(scored).length).toBeLessThan(JSON.stringify(scored).length / 1.8);
    } finally {
      await empty.close();
    }
  });
});
