// The match workers' statistics keeper: the planner's figures of the match tables are renewed when
// the tables outgrow them, and then in proportion to their size, not every few thousand records
// whatever the size (a vacuum of a national database is minutes of its work).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { StatisticsKeeper, vacuumDue } from '../../src/jobs/workers.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

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

/** How many match subjects the planner thinks there are (-1: never counted). */
async function planned(): Promise<number> {
  const { rows } = await db.database.pool.query(`SELECT reltuples::float8 AS n FROM pg_class WHERE oid = 'match_subject'::regclass`);
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

  it('is due in proportion to the tables: every 2,000 records at 10,000 subjects, every 130,000 at 1,300,000', () => {
    expect(vacuumDue(1999, 10_000, 10_000)).toBe(false);
    expect(vacuumDue(2000, 10_000, 10_000)).toBe(true);
    expect(vacuumDue(2000, 1_300_000, 1_250_000)).toBe(false);
    expect(vacuumDue(129_999, 1_300_000, 1_300_000)).toBe(false);
    expect(vacuumDue(130_000, 1_300_000, 1_300_000)).toBe(true);
    expect(vacuumDue(0, 1_300_000, 1_100_000)).toBe(true); // a drive or an import since the planner last counted
    expect(vacuumDue(0, 40, -1)).toBe(false); // a few records, never counted: within the 50 any table may be off by
    expect(vacuumDue(0, 500, -1)).toBe(true);
  });
});
