// The match workers' statistics keeper: the planner's figures of the match tables are renewed when
// the tables outgrow them, and then in proportion to their size, not every few thousand records
// whatever the size (a vacuum of a national database is minutes of its work).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { generateWorld } from '../../fixtures/synth/world.ts';
import { WorkerMetrics } from '../../src/jobs/metrics.ts';
import { groupedMatchJobs, matchJobRecordsSql, matchQueue } from '../../src/jobs/queue.ts';
import { churningTableDue, startWorkers, StatisticsKeeper, vacuumDue } from '../../src/jobs/workers.ts';
import * as records from '../../src/records/service.ts';
import { foundSide } from '../../src/records/sides.ts';
import { createTestDatabase, onPostgres, type TestDatabase } from '../helpers/database.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db.close());

/** Match subjects as a match job saves them (the trigger counts them). */
async function subjects(count: number): Promise<void> {
  await db.database.pool.query(
    `INSERT INTO match_subject (side, record_id, version, sex, active, model_version) SELECT 'missing', gen_random_uuid(), 1, 'female', TRUE, 'm' FROM generate_series(1, $1)`,
    [count],
  );
}

/** How many rows the planner thinks a table has (-1: never counted). */
async function planned(table = 'match_subject'): Promise<number> {
  const { rows } = await db.database.pool.query(`SELECT reltuples::float8 AS n FROM pg_class WHERE oid = $1::text::regclass`, [table]);
  return rows[0].n as number;
}

/** Candidate pairs of one report with `count` found children (synthetic rows, as a match job stores them). */
async function pairs(count: number): Promise<void> {
  const pool = db.database.pool;
  const { rows: [report] } = await pool.query(
    `INSERT INTO missing_report (filing_unit, ref, record, event_date, created_by, updated_by) VALUES ('test', 'FIR-KEEPER', '{}', '2024-01-01', 'test', 'test') RETURNING id`,
  );
  await pool.query(
    `WITH children AS (
       INSERT INTO found_child (filing_unit, ref, record, event_date, created_by, updated_by)
       SELECT 'test', 'CCI-KEEPER-' || g, '{}', '2024-02-01', 'test', 'test' FROM generate_series(1, $2) g RETURNING id),
     pair AS (INSERT INTO candidate_pair (missing_id, found_id, pair_probability, probability, match_weight, model_version, missing_version, found_version)
     SELECT $1, id, 0.5, 0.5, 0, 'm', 1, 1 FROM children RETURNING id)
     INSERT INTO candidate_explanation (pair_id, explanation) SELECT id, '[]' FROM pair`,
    [report.id, count],
  );
}

/** Rewrites every pair's probability (as a refresh does), and has the statistics system count the dead rows now. */
async function rewritePairs(): Promise<void> {
  const client = await db.database.pool.connect();
  try {
    await client.query('UPDATE candidate_pair SET probability = 1 - probability');
    await client.query('SELECT pg_stat_force_next_flush()');
    await client.query('SELECT 1');
  } finally {
    client.release();
  }
}

/** The dead rows of the pair table the statistics system counts. */
async function deadPairs(): Promise<number> {
  const { rows } = await db.database.pool.query(`SELECT n_dead_tup::float8 AS n FROM pg_stat_user_tables WHERE relname = 'candidate_pair'`);
  return rows[0].n as number;
}

async function recordsMatched(keeper: StatisticsKeeper, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await keeper.jobDone();
}

describe('the statistics keeper', () => {
  it('renews the figures when the tables outgrow them by a tenth, and else only after a tenth of them were matched again', async () => {
    const keeper = new StatisticsKeeper(db.database, pino({ level: 'silent' }));
    await subjects(3000);
    const before = await planned();
    await recordsMatched(keeper, 199);
    expect(await planned()).toBe(before); // it looks every 200 records
    await recordsMatched(keeper, 1);
    expect(await planned()).toBe(3000); // never counted: renewed at the first look
    await subjects(300); // a tenth more, and not 50 more than that
    await recordsMatched(keeper, 1600);
    expect(await planned()).toBe(3000); // figures close enough, and fewer than 2,000 records matched since
    await subjects(100);
    await recordsMatched(keeper, 200);
    expect(await planned()).toBe(3400); // outgrown: 3,400 subjects against 3,000
  });

  it('vacuums the pair table alone when it outgrows the planner\'s count, or its dead rows outgrow a fifth of the live ones', async () => {
    const keeper = new StatisticsKeeper(db.database, pino({ level: 'silent' }));
    await recordsMatched(keeper, 200); // whatever the first test left due is done
    const subjectsPlanned = await planned();
    await pairs(400);
    await rewritePairs();
    await recordsMatched(keeper, 200);
    expect(await planned('candidate_pair')).toBe(400); // never counted, 400 now: renewed
    expect(await deadPairs()).toBe(0); // and vacuumed
    expect(await planned()).toBe(subjectsPlanned); // the subjects (and keys) were not due: left alone
    await rewritePairs(); // 400 dead rows against 400 live: due
    expect(await deadPairs()).toBe(400);
    await recordsMatched(keeper, 200);
    expect(await deadPairs()).toBe(0);
  });

  it("vacuums the match queue's own table when its dead rows outgrow a fifth of the live ones: jobs fetched and done leave one each time", async () => {
    const keeper = new StatisticsKeeper(db.database, pino({ level: 'silent' }));
    const pool = db.database.pool;
    await recordsMatched(keeper, 200); // whatever the tests before left due is done
    const { rows: [queue] } = await pool.query(`SELECT format('pgboss.%I', table_name) AS name FROM pgboss.queue WHERE name = $1`, [matchQueue]);
    const deadJobs = async () => {
      const client = await pool.connect();
      try {
        await client.query('SELECT pg_stat_force_next_flush()');
        await client.query('SELECT 1');
        const { rows } = await client.query(`SELECT n_dead_tup::float8 AS n FROM pg_stat_user_tables WHERE relid = $1::text::regclass`, [queue.name]);
        return rows[0].n as number;
      } finally {
        client.release();
      }
    };
    // A re-match's jobs (ids made up: nothing runs them), half of them fetched: each row rewritten as active.
    const records = Array.from({ length: 400 * 8 }, (_, i) => ({ id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, version: 1 }));
    await db.boss.insert(matchQueue, groupedMatchJobs('missing', records, { reweighLater: true }).map((data) => ({ data })));
    await recordsMatched(keeper, 200); // 400 new rows: the planner's count is off, so vacuumed and counted
    const fetched = await db.boss.fetch(matchQueue, { batchSize: 200 });
    expect(fetched).toHaveLength(200);
    expect(await deadJobs()).toBeGreaterThanOrEqual(200);
    await recordsMatched(keeper, 200);
    expect(await deadJobs()).toBe(0);
  });

  it("vacuums the tables of marks a sweep emptied: the sweepers' look whether a mark is left reads every dead one", async () => {
    const keeper = new StatisticsKeeper(db.database, pino({ level: 'silent' }));
    const pool = db.database.pool;
    await recordsMatched(keeper, 200); // whatever the tests before left due is done
    const dead = async (table: string) => {
      const client = await pool.connect();
      try {
        await client.query('SELECT pg_stat_force_next_flush()');
        await client.query('SELECT 1');
        const { rows } = await client.query(`SELECT n_dead_tup::float8 AS n FROM pg_stat_user_tables WHERE relname = $1`, [table]);
        return rows[0].n as number;
      } finally {
        client.release();
      }
    };
    // A re-match's marks, then a sweep's deletion of them.
    await pool.query(`INSERT INTO pair_reweigh_due (side, record_id) SELECT 'found', gen_random_uuid() FROM generate_series(1, 400)`);
    await pool.query(`INSERT INTO pair_reweigh_every (run_id) SELECT NULL FROM generate_series(1, 400)`);
    await pool.query('DELETE FROM pair_reweigh_due');
    await pool.query('DELETE FROM pair_reweigh_every');
    expect(await dead('pair_reweigh_due')).toBe(400);
    expect(await dead('pair_reweigh_every')).toBe(400);
    await recordsMatched(keeper, 200);
    expect(await dead('pair_reweigh_due')).toBe(0);
    expect(await dead('pair_reweigh_every')).toBe(0);
  });

  it('is due in proportion to the tables: every 2,000 records at 10,000 subjects, every 130,000 at 1,300,000', () => {
    expect(vacuumDue(1999, 10_000, 10_000)).toBe(false);
    expect(vacuumDue(2000, 10_000, 10_000)).toBe(true);
    expect(vacuumDue(2000, 1_300_000, 1_250_000)).toBe(false);
    expect(vacuumDue(129_999, 1_300_000, 1_300_000)).toBe(false);
    expect(vacuumDue(130_000, 1_300_000, 1_300_000)).toBe(true);
    expect(vacuumDue(0, 1_300_000, 1_100_000)).toBe(true); // a drive or an import since the planner last counted
    expect(vacuumDue(0, 40, -1)).toBe(false); // a few records, never counted: within the 50 any table may be off by
    expect(vacuumDue(0, 500, -1)).toBe(true);
    // A pair table: its dead rows against a fifth of the live ones, its rows against the planner's count.
    expect(churningTableDue({ live: 100_000, dead: 20_050, planned: 100_000 })).toBe(false);
    expect(churningTableDue({ live: 100_000, dead: 20_051, planned: 100_000 })).toBe(true);
    expect(churningTableDue({ live: 22_000, dead: 0, planned: 2_000 })).toBe(true);
    expect(churningTableDue({ live: 40, dead: 0, planned: -1 })).toBe(false);
  });
});

describe("the statistics keeper's vacuum in a worker", () => {
  // On a server the vacuum runs beside the jobs: the jobs fetched with the record that made it due
  // were marked done only once it finished (seconds for a national pair table, minutes for the key
  // table). One PGlite connection runs it in its turn, between jobs.
  it.skipIf(!onPostgres)('holds up no job: with the vacuum waiting on a lock, every record filed is matched and its job done', async () => {
    const own = await createTestDatabase();
    const blocker = await own.database.pool.connect();
    try {
      // A vacuum of the pair table waits while another transaction holds this lock; a match job's writes do not.
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE candidate_pair IN SHARE UPDATE EXCLUSIVE MODE');
      const ctx = { pool: own.database.pool, boss: own.boss };
      const filer = { actorId: null, actorName: 'test', requestId: null };
      // More than the 200 records after which the keeper looks; never counted, the tables are due then.
      const ids: string[] = [];
      for (const child of generateWorld({ missing: 1, found: 230, seed: 41 }).found) ids.push(((await records.fileRecord(ctx, foundSide, child, filer)).body as { id: string }).id);
      await startWorkers(own.boss, own.database, pino({ level: 'silent' }), new WorkerMetrics(), { concurrency: 2, floor: 0.001, topK: 10 });
      const doneJobs = async () =>
        Number((await own.database.pool.query(`SELECT count(*) AS n FROM (${matchJobRecordsSql}) r JOIN pgboss.job j ON j.id = r.job_id WHERE r.record_id = ANY($1::uuid[]) AND j.state = 'completed'`, [ids])).rows[0].n);
      const vacuumWaiting = async () =>
        Number((await own.database.pool.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'VACUUM (ANALYZE)%' AND wait_event_type = 'Lock'`)).rows[0].n);
      for (let waited = 0; waited < 60_000 && ((await doneJobs()) < ids.length || (await vacuumWaiting()) === 0); waited += 200) await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await vacuumWaiting()).toBe(1); // the keeper did look, and its vacuum still waits
      expect(await doneJobs()).toBe(ids.length);
      const { rows } = await own.database.pool.query(`SELECT count(*)::int AS n FROM match_subject WHERE side = 'found' AND record_id = ANY($1::uuid[])`, [ids]);
      expect(rows[0].n).toBe(ids.length);
    } finally {
      await blocker.query('ROLLBACK');
      blocker.release();
      // The vacuum goes on once the lock is let go: done before the database is dropped.
      for (let waited = 0; waited < 30_000; waited += 100) {
        const { rows } = await own.database.pool.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'VACUUM (ANALYZE)%' AND state = 'active'`);
        if (rows[0].n === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await own.close();
    }
  }, 120_000);
});
