// `milap import`: good lines stored through the same validation as the API, bad lines reported with
// line, field and reason, and a re-run that updates instead of duplicating.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { matchJobRecordsSql } from '../../src/jobs/queue.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { fullFoundChild, fullMissingReport } from '../helpers/people.ts';

// The CLI runs as its own process: on PostgreSQL against this file's database copy, on PGlite
// against a data directory of its own that the test opens afterwards.
let db: TestDatabase | null = null;
let dataDir = '';
const workDir = mkdtempSync(join(tmpdir(), 'milap-import-'));

beforeAll(async () => {
  if (process.env.DATABASE_URL) db = await createTestDatabase();
  else dataDir = join(workDir, 'data');
});
afterAll(async () => db?.close());

function milap(...args: string[]) {
  const env = { ...process.env, LOG_LEVEL: 'silent', ...(db ? { DATABASE_URL: db.url! } : { DATABASE_URL: '', MILAP_DATA_DIR: dataDir }) };
  return spawnSync(process.execPath, ['bin/milap.js', ...args], { env, encoding: 'utf8', timeout: 120_000 });
}

async function withDatabase<T>(read: (database: Database) => Promise<T>): Promise<T> {
  if (db) return read(db.database);
  const database = await openDatabase({ MILAP_DATA_DIR: dataDir, DATABASE_POOL_SIZE: 1 });
  try {
    return await read(database);
  } finally {
    await database.close();
  }
}

function jsonl(name: string, lines: string[]): string {
  const file = join(workDir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('milap import', () => {
  const good = [fullMissingReport({ ref: 'FIR-IMP-1' }), fullMissingReport({ ref: 'FIR-IMP-2', name: 'Md. Salim' }), fullMissingReport({ ref: 'FIR-IMP-3' })];

  it('stores good lines and reports each bad one with its line number, field and reason', () => {
    const file = jsonl('missing.jsonl', [
      JSON.stringify(good[0]),
      JSON.stringify({ ...good[1], missingSince: 'last monday' }),
      '{"ref": "FIR-IMP-9", "name": ',
      JSON.stringify(good[1]),
      '',
      JSON.stringify({ ...good[2], shoeSize: 4 }),
      JSON.stringify(good[2]),
    ]);
    const run = milap('import', '--missing', file);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/line 2: missingSince: /);
    expect(run.stderr).toMatch(/line 3: .*JSON/i);
    expect(run.stderr).toMatch(/line 6: shoeSize: unknown field/);
    expect(run.stderr).toMatch(/3 created, 0 updated, 0 unchanged, 3 refused/);
  });

  it('a re-run updates what changed and never duplicates a ref', async () => {
    const file = jsonl('missing-again.jsonl', [JSON.stringify(good[0]), JSON.stringify({ ...good[1], heightCm: 150 }), JSON.stringify(good[2])]);
    const run = milap('import', '--missing', file);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/0 created, 1 updated, 2 unchanged, 0 refused/);
    const rows = await withDatabase(async (database) =>
      (await database.pool.query(`SELECT ref, version, record->>'heightCm' AS height FROM missing_report ORDER BY ref`)).rows,
    );
    expect(rows).toEqual([
      { ref: 'FIR-IMP-1', version: 1, height: String(good[0]!.heightCm) },
      { ref: 'FIR-IMP-2', version: 2, height: '150' },
      { ref: 'FIR-IMP-3', version: 1, height: String(good[2]!.heightCm) },
    ]);
  });

  it('found children import the same way, each with its match job queued', async () => {
    const file = jsonl('found.jsonl', [JSON.stringify(fullFoundChild({ ref: 'CCI-IMP-1' })), JSON.stringify(fullFoundChild({ ref: 'CCI-IMP-2', name: null }))]);
    const run = milap('import', '--found', file);
    expect(run.status, run.stderr).toBe(0);
    const jobs = await withDatabase(async (database) =>
      (await database.pool.query(`SELECT count(*)::int AS n FROM (${matchJobRecordsSql}) j JOIN found_child f ON f.id = j.record_id`)).rows[0].n,
    );
    expect(jobs).toBe(2);
  });

  it('bad arguments and unreadable files exit 2 with a message', () => {
    expect(milap('import').status).toBe(2);
    expect(milap('import', '--missing', 'a.jsonl', '--found', 'b.jsonl').status).toBe(2);
    const missingFile = milap('import', '--found', join(workDir, 'nope.jsonl'));
    expect(missingFile.status).toBe(2);
    expect(missingFile.stderr).toContain('cannot read');
  });
});
