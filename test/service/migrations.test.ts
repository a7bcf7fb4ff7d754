// Migrations: applied once, recorded with a checksum, safe when two processes start at once, and a
// changed file refused with a message that says what to do.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, readMigrations } from '../../src/db/migrate.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

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
