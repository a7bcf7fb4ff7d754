// After a worker's start has read every record, the pages match jobs read at random are read back into
// a PostgreSQL server's page cache (src/matching/read-back.ts): every relation a job reads at random,
// once however many processes start, and never a failed start where the server lacks the module or
// the role may not create it.
import { Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateWorld } from '../../fixtures/synth/world.ts';
import { openDatabase } from '../../src/db/database.ts';
import { WorkerMetrics } from '../../src/jobs/metrics.ts';
import { startWorkers } from '../../src/jobs/workers.ts';
import { matchPages, readBackMatchPages } from '../../src/matching/read-back.ts';
import * as records from '../../src/records/service.ts';
import { foundSide, missingSide } from '../../src/records/sides.ts';
import { createTestDatabase, onPostgres, type TestDatabase } from '../helpers/database.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db.close());

/** Megabytes of the relations as read-back.ts reads them: a table's rows where asked, and every index of it. */
async function matchPagesMegabytes(): Promise<number> {
  const { rows } = await db.database.pool.query<{ bytes: string }>(
    `SELECT sum(CASE WHEN t.heap THEN pg_relation_size(t.name::regclass) ELSE 0 END + pg_indexes_size(t.name::regclass)) AS bytes
       FROM unnest($1::text[], $2::boolean[]) AS t(name, heap)`,
    [matchPages.map((t) => t.table), matchPages.map((t) => t.heap)],
  );
  return Number(rows[0]!.bytes) / 1e6;
}

describe.runIf(onPostgres)('reading back the pages match jobs read, on a PostgreSQL server', () => {
  it('reads every relation a match job reads at random into the page cache, the module created when missing', async () => {
    const pool = db.database.pool;
    // Match tables of some size: subjects and their keys, as match jobs store them.
    await pool.query(
      `INSERT INTO match_subject (side, record_id, version, sex, active, model_version) SELECT 'missing', gen_random_uuid(), 1, 'female', TRUE, 'm' FROM generate_series(1, 20000)`,
    );
    await pool.query(`INSERT INTO match_key (side, record_id, key) SELECT side, record_id, 'n:' || (random() * 5000)::int FROM match_subject`);
    expect((await pool.query(`SELECT 1 FROM pg_extension WHERE extname = 'pg_prewarm'`)).rowCount).toBe(0);

    const readBack = await readBackMatchPages(db.database);
    const expected = await matchPagesMegabytes();
    expect(expected).toBeGreaterThan(2);
    expect(readBack).toEqual({ read: true, megabytes: Math.round(expected), seconds: expect.any(Number) });
    expect((await pool.query(`SELECT 1 FROM pg_extension WHERE extname = 'pg_prewarm'`)).rowCount).toBe(1);
  });

  it('reads nothing while another process reads them back, and then reads them', async () => {
    const other = await db.database.pool.connect();
    try {
      await other.query(`SELECT pg_advisory_lock(hashtextextended('milap:read-back-match-pages', 0))`);
      expect(await readBackMatchPages(db.database)).toEqual({ read: false, reason: 'another process is reading them back' });
      await other.query(`SELECT pg_advisory_unlock(hashtextextended('milap:read-back-match-pages', 0))`);
    } finally {
      other.release();
    }
    expect(await readBackMatchPages(db.database)).toMatchObject({ read: true });
  });

  it('says why and reads nothing when the role may not create the module, or may not read a table', async () => {
    // A database of its own, without the module, and a role that is no superuser.
    const own = await createTestDatabase();
    const role = `milap_reader_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: own.url! });
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE ${role} LOGIN`);
      await admin.query(`GRANT ALL ON ALL TABLES IN SCHEMA public, pgboss TO ${role}`);
      await admin.query(`GRANT USAGE ON SCHEMA pgboss TO ${role}`);
      const url = new URL(own.url!);
      url.username = role;
      const restricted = await openDatabase({ DATABASE_URL: url.toString(), MILAP_DATA_DIR: '', DATABASE_POOL_SIZE: 2 });
      try {
        const readBack = await readBackMatchPages(restricted);
        expect(readBack.read).toBe(false);
        expect(readBack).toMatchObject({ reason: expect.stringContaining('pg_prewarm') });
        expect((await admin.query(`SELECT 1 FROM pg_extension WHERE extname = 'pg_prewarm'`)).rowCount).toBe(0);
      } finally {
        await restricted.close();
      }
      // Installed by a superuser, but a table the role may not read: still no throw, and the reason given.
      await admin.query('CREATE EXTENSION pg_prewarm');
      await admin.query(`REVOKE SELECT ON candidate_pair FROM ${role}`);
      const again = await openDatabase({ DATABASE_URL: url.toString(), MILAP_DATA_DIR: '', DATABASE_POOL_SIZE: 2 });
      try {
        expect(await readBackMatchPages(again)).toMatchObject({ read: false, reason: expect.stringContaining('candidate_pair') });
      } finally {
        await again.close();
      }
    } finally {
      await admin.end();
      await own.close();
      const cleanup = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await cleanup.connect();
      await cleanup.query(`DROP ROLE IF EXISTS ${role}`).finally(() => cleanup.end());
    }
  });

  it('is done by a worker once its start has read every record', async () => {
    const ctx = { pool: db.database.pool, boss: db.boss };
    const filer = { actorId: null, actorName: 'test', requestId: null };
    const world = generateWorld({ missing: 30, found: 10, seed: 23 });
    for (const report of world.missing) await records.fileRecord(ctx, missingSide, report, filer);
    for (const child of world.found) await records.fileRecord(ctx, foundSide, child, filer);
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, new Writable({ write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    } }));
    const readBackLines = () => lines.filter((line) => String(line.msg).includes('pages match jobs read at random'));
    await startWorkers(db.boss, db.database, logger, new WorkerMetrics(), { concurrency: 1, floor: 0.001, topK: 10 });
    for (let waited = 0; waited < 30_000 && !readBackLines().length; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(readBackLines()).toEqual([expect.objectContaining({ msg: expect.stringMatching(/^read back into the database server's page cache/), megabytes: expect.any(Number) })]);
    // The prepared records were counted first: the read-back comes after the start's reading.
    const prepared = lines.findIndex((line) => String(line.msg).startsWith('records still looked for prepared'));
    expect(prepared).toBeGreaterThanOrEqual(0);
    expect(lines.indexOf(readBackLines()[0]!)).toBeGreaterThan(prepared);
  });
});

describe.runIf(!onPostgres)('reading back the pages match jobs read, on the embedded database', () => {
  it('reads nothing: its pages are in this process', async () => {
    expect(await readBackMatchPages(db.database)).toEqual({ read: false, reason: 'the embedded database keeps its pages in memory' });
  });
});
