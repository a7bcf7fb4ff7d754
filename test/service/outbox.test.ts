// The outbox rule: a record that was saved is never left unmatched. Its match job is queued in the
// same transaction, so the two commit together or not at all.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '../../src/db/database.ts';
import { WorkerMetrics } from '../../src/jobs/metrics.ts';
import { matchJobRecordsSql, sendMatchJob } from '../../src/jobs/queue.ts';
import { startWorkers } from '../../src/jobs/workers.ts';
import { filingBatcherOf } from '../../src/records/filing-batch.ts';
import * as records from '../../src/records/service.ts';
import { missingSide, foundSide } from '../../src/records/sides.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { fullFoundChild, fullMissingReport } from '../helpers/people.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db.close());

async function matchJobsFor(id: string): Promise<{ side: string; version: number }[]> {
  const { rows } = await db.database.pool.query(`SELECT data FROM pgboss.job WHERE name = 'match' AND data->>'id' = $1 ORDER BY (data->>'version')::int`, [id]);
  return rows.map((row) => row.data);
}

const filer = { actorId: null, actorName: 'test', requestId: null };

describe('the record and its match job commit together', () => {
  it('filing a record queues one match job for it', async () => {
    const ctx = { pool: db.database.pool, boss: db.boss };
    const answer = await records.fileRecord(ctx, foundSide, fullFoundChild(), filer);
    const { id } = answer.body as { id: string };
    expect(await matchJobsFor(id)).toEqual([{ side: 'found', id, version: 1 }]);
  });

  it('every later write queues a job for the new version', async () => {
    const ctx = { pool: db.database.pool, boss: db.boss };
    const { id } = (await records.fileRecord(ctx, missingSide, fullMissingReport(), filer)).body as { id: string };
    await records.updateRecord(ctx, missingSide, id, { heightCm: 131 }, 'test');
    await records.changeStatus(ctx, missingSide, id, 'withdrawn', 'filed twice by mistake', 'test');
    expect((await matchJobsFor(id)).map((job) => job.version)).toEqual([1, 2, 3]);
  });

  it('when the transaction fails after both writes, neither the row nor the job remains', async () => {
    const report = fullMissingReport();
    let id = '';
    await expect(
      withTransaction(db.database.pool, async (tx) => {
        const { rows } = await tx.query(
          `INSERT INTO missing_report (filing_unit, ref, record, event_date, created_by, updated_by) VALUES ($1, $2, $3, $4, 't', 't') RETURNING id`,
          [report.policeStation, report.ref, report, report.missingSince],
        );
        id = rows[0].id;
        await sendMatchJob(db.boss, tx, { side: 'missing', id, version: 1 });
        expect(await tx.query(`SELECT 1 FROM pgboss.job WHERE data->>'id' = $1`, [id])).toHaveProperty('rowCount', 1);
        throw new Error('the write fails after the job was queued');
      }),
    ).rejects.toThrow('the write fails');
    expect((await db.database.pool.query('SELECT 1 FROM missing_report WHERE id = $1', [id])).rowCount).toBe(0);
    expect(await matchJobsFor(id)).toEqual([]);
  });

  it('when queueing the job fails, the record is not saved', async () => {
    const ctx = { pool: db.database.pool, boss: db.boss };
    const child = fullFoundChild();
    const brokenBoss = { send: async () => { throw new Error('queue unavailable'); } } as unknown as typeof db.boss;
    await expect(records.fileRecord({ ...ctx, boss: brokenBoss }, foundSide, child, filer)).rejects.toThrow('queue unavailable');
    expect((await db.database.pool.query('SELECT 1 FROM found_child WHERE ref = $1', [child.ref])).rowCount).toBe(0);
  });

  it('when the database refuses the job, the record, its version and its audit entry are not saved either', async () => {
    const ctx = { pool: db.database.pool, boss: db.boss };
    const child = fullFoundChild();
    const refusingBoss = {
      send: (_name: string, _data: unknown, options: { db: { executeSql(text: string, values: unknown[]): Promise<unknown> } }) =>
        options.db.executeSql('INSERT INTO pgboss.job_that_does_not_exist (data) VALUES ($1::jsonb)', ['{}']),
    } as unknown as typeof db.boss;
    await expect(records.fileRecord({ ...ctx, boss: refusingBoss }, foundSide, child, filer)).rejects.toThrow(/job_that_does_not_exist/);
    expect((await db.database.pool.query('SELECT 1 FROM found_child WHERE ref = $1', [child.ref])).rowCount).toBe(0);
    expect((await db.database.pool.query(`SELECT 1 FROM record_version WHERE record->>'ref' = $1`, [child.ref])).rowCount).toBe(0);
    // The connection went back to the pool usable: the next filing works and queues its job.
    const { id } = (await records.fileRecord(ctx, foundSide, fullFoundChild(), filer)).body as { id: string };
    expect(await matchJobsFor(id)).toEqual([{ side: 'found', id, version: 1 }]);
  });

  it('a ref filed twice by the same unit is refused the second time, and the second filing leaves nothing', async () => {
    const ctx = { pool: db.database.pool, boss: db.boss };
    const report = fullMissingReport();
    const { id } = (await records.fileRecord(ctx, missingSide, report, filer)).body as { id: string };
    await expect(records.fileRecord(ctx, missingSide, { ...report, name: 'Another Synthetic Name' }, filer)).rejects.toMatchObject({ statusCode: 409 });
    expect((await db.database.pool.query(`SELECT count(*)::int AS n FROM (${matchJobRecordsSql}) j WHERE side = 'missing' AND record_id NOT IN (SELECT id FROM missing_report)`)).rows[0].n).toBe(0);
    expect((await db.database.pool.query('SELECT count(*)::int AS n FROM record_version WHERE record_id = $1', [id])).rows[0].n).toBe(1);
  });

  it('filings that arrive together are written together, each with its version, audit entry and job; a taken ref is refused alone', async () => {
    const ctx = { pool: db.database.pool, boss: db.boss };
    const reports = Array.from({ length: 24 }, () => fullMissingReport());
    const before = { ...filingBatcherOf(ctx.pool, ctx.boss, missingSide).grouped };
    const answers = await Promise.allSettled([...reports, { ...reports[3]! }].map((report) => records.fileRecord(ctx, missingSide, report, filer)));
    const filed = answers.filter((answer) => answer.status === 'fulfilled').map((answer) => answer.value.body as { id: string; ref: string });
    const refused = answers.filter((answer) => answer.status === 'rejected');
    expect(filed).toHaveLength(24);
    expect(new Set(filed.map((record) => record.ref))).toEqual(new Set(reports.map((report) => report.ref)));
    expect(refused).toHaveLength(1);
    expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({ statusCode: 409 });
    const ids = filed.map((record) => record.id);
    const count = async (sql: string) => (await db.database.pool.query(sql, [ids])).rows[0].n;
    expect(await count(`SELECT count(*)::int AS n FROM record_version WHERE record_id = ANY($1::uuid[]) AND change = 'created'`)).toBe(24);
    expect(await count(`SELECT count(*)::int AS n FROM audit_entry WHERE entity_id = ANY($1::text[]) AND action = 'create'`)).toBe(24);
    expect(await count(`SELECT count(*)::int AS n FROM (${matchJobRecordsSql}) j WHERE record_id = ANY($1::uuid[])`)).toBe(24);
    // The burst with a taken ref was written one filing at a time; a clean burst goes in groups.
    const clean = Array.from({ length: 24 }, () => fullMissingReport());
    const answered = await Promise.all(clean.map((report) => records.fileRecord(ctx, missingSide, report, filer)));
    expect(answered.map((answer) => answer.statusCode)).toEqual(clean.map(() => 201));
    const after = filingBatcherOf(ctx.pool, ctx.boss, missingSide).grouped;
    expect(after.filings - before.filings).toBeGreaterThan(after.batches - before.batches);
    const cleanIds = answered.map((answer) => (answer.body as { id: string }).id);
    // Filed together, they share match jobs: one for each few records, every record in exactly one.
    const queued = await db.database.pool.query<{ record_id: string; job_id: string }>(`SELECT record_id, job_id FROM (${matchJobRecordsSql}) j WHERE record_id = ANY($1::uuid[])`, [cleanIds]);
    expect(queued.rows.map((row) => row.record_id).sort()).toEqual([...cleanIds].sort());
    expect(new Set(queued.rows.map((row) => row.job_id)).size).toBeLessThan(24);
  });

  it('the records of a grouped job are each matched by the workers', async () => {
    const ctx = { pool: db.database.pool, boss: db.boss };
    const burst = Array.from({ length: 20 }, () => fullFoundChild());
    const ids = (await Promise.all(burst.map((child) => records.fileRecord(ctx, foundSide, child, filer)))).map((answer) => (answer.body as { id: string }).id);
    const jobs = await db.database.pool.query<{ job_id: string }>(`SELECT DISTINCT job_id FROM (${matchJobRecordsSql}) j WHERE record_id = ANY($1::uuid[])`, [ids]);
    expect(jobs.rows.length).toBeLessThan(ids.length);
    await startWorkers(db.boss, db.database, pino({ level: 'silent' }), new WorkerMetrics(), { concurrency: 2, floor: 0.001, topK: 10 });
    const matched = async () => (await db.database.pool.query(`SELECT count(*)::int AS n FROM match_subject WHERE side = 'found' AND record_id = ANY($1::uuid[])`, [ids])).rows[0].n;
    const states = async () => (await db.database.pool.query(`SELECT DISTINCT state FROM (${matchJobRecordsSql}) j WHERE record_id = ANY($1::uuid[])`, [ids])).rows.map((row) => row.state);
    for (let waited = 0; (await states()).join() !== 'completed' && waited < 60_000; waited += 200) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await states()).toEqual(['completed']);
    expect(await matched()).toBe(ids.length);
  }, 120_000);
});
