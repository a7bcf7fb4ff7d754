// `milap rematch`: records are queued chunk by chunk with the run's position, so a run that stopped
// part-way resumes where it stopped and queues every record exactly once.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultModel } from '../../matchers/model.ts';
import { matchJobRecordsSql } from '../../src/jobs/queue.ts';
import { createEngine } from '../../src/matching/engine.ts';
import { matchRecord, matchRecords } from '../../src/matching/match-job.ts';
import { matcherVersion } from '../../matchers/version.ts';
import { countRemaining, matchedUnderOtherRules, openRun, queueRun, unrankedChildren, warnOfStaleMatches } from '../../src/matching/rematch.ts';
import * as records from '../../src/records/service.ts';
import { foundSide, missingSide } from '../../src/records/sides.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { fullFoundChild, fullMissingReport } from '../helpers/people.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db.close());

const filer = { actorId: null, actorName: 'test', requestId: null };

/** A logger of warnings, and the lines it wrote, parsed. */
function warningsLog() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'warn' }, new Writable({ write(chunk, _encoding, done) {
    lines.push(JSON.parse(String(chunk)));
    done();
  } }));
  return { lines, logger };
}

/** How many records a plain `milap rematch` (no --all) would queue now, for the model of this code. */
async function plainRunCount(): Promise<number> {
  const { modelVersion } = createEngine();
  return countRemaining(db.database.pool, modelVersion, await openRun(db.database.pool, modelVersion, false));
}

/** Matches every record with this code, as if a re-match had run (a run of a few records then marks them: weighsEveryPair). */
async function matchEveryRecord() {
  const { rows } = await db.database.pool.query<{ side: 'missing' | 'found'; id: string; version: number }>(
    `SELECT 'missing' AS side, id, version FROM missing_report UNION ALL SELECT 'found', id, version FROM found_child`);
  await matchRecords(db.database.pool, createEngine(), { floor: 0.001, topK: 10 }, rows);
}

/** Files a record through the records service and matches it with this code; `matchAgain` matches it once more. */
async function filedAndMatched<R extends object>(side: 'missing' | 'found', record: R): Promise<{ id: string; matchAgain: () => Promise<unknown> }> {
  const ctx = { pool: db.database.pool, boss: db.boss };
  const { id } = (await records.fileRecord(ctx, side === 'missing' ? missingSide : foundSide, record as never, filer)).body as { id: string };
  const matchAgain = () => matchRecord(db.database.pool, createEngine(), { floor: 0.001, topK: 10 }, { side, id, version: 1 });
  await matchAgain();
  return { id, matchAgain };
}

describe('a re-match of every record', () => {
  it('stopped after its first chunks, resumes where it stopped and queues each record once', async () => {
    const ctx = { pool: db.database.pool, boss: db.boss };
    const ids = new Set<string>();
    for (let i = 0; i < 25; i++) ids.add(((await records.fileRecord(ctx, missingSide, fullMissingReport(), filer)).body as { id: string }).id);
    for (let i = 0; i < 12; i++) ids.add(((await records.fileRecord(ctx, foundSide, fullFoundChild(), filer)).body as { id: string }).id);
    await db.database.pool.query(`DELETE FROM pgboss.job WHERE name = 'match'`); // the filings' own jobs

    const model = 'model-under-test';
    const run = await openRun(db.database.pool, model, true);
    expect(await countRemaining(db.database.pool, model, run)).toBe(37);
    // The process dies after its second chunk of ten has committed.
    await expect(
      queueRun(db.database.pool, db.boss, model, run, (queued) => {
        if (queued >= 20) throw new Error('killed');
      }, 10),
    ).rejects.toThrow('killed');
    const resumed = await openRun(db.database.pool, model, true);
    expect(resumed.id).toBe(run.id);
    expect(resumed.queued).toBe(20);
    expect(await countRemaining(db.database.pool, model, resumed)).toBe(17);
    expect(await queueRun(db.database.pool, db.boss, model, resumed, () => {}, 10)).toBe(17);

    const { rows } = await db.database.pool.query<{ record_id: string; job_id: string }>(`SELECT record_id, job_id FROM (${matchJobRecordsSql}) j`);
    expect(rows.map((row) => row.record_id).sort()).toEqual([...ids].sort());
    // Queued several records to a job: a worker matches the records of the jobs it fetches together.
    expect(new Set(rows.map((row) => row.job_id)).size).toBeLessThan(ids.size / 2);
    // The finished run is not offered again.
    expect((await openRun(db.database.pool, model, true)).id).not.toBe(run.id);
  });
});

describe('a re-match of most records', () => {
  it('queues every record, those matched by this model too, and goes on so when resumed with fewer left', async () => {
    await matchEveryRecord();
    const { modelVersion } = createEngine();
    const pool = db.database.pool;
    const children = (await pool.query<{ id: string }>('SELECT id FROM found_child ORDER BY id')).rows.map((row) => row.id);
    const reports = (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM missing_report')).rows[0]!.n;
    // Every report and all children but two as if matched by last year's model: most records.
    await pool.query(`UPDATE match_subject SET model_version = 'milap-model-of-last-year' WHERE NOT (side = 'found' AND record_id = ANY($1::uuid[]))`, [children.slice(0, 2)]);
    await pool.query(`DELETE FROM pgboss.job WHERE name = 'match'`);
    const run = await openRun(pool, modelVersion, false);
    expect(run.weighsEvery).toBe(true);
    // The two children matched by this model are queued too: each pair is weighed from one of its records' jobs.
    expect(await countRemaining(pool, modelVersion, run)).toBe(reports + children.length);
    await expect(queueRun(pool, db.boss, modelVersion, run, (queued) => {
      if (queued >= 10) throw new Error('killed');
    }, 10)).rejects.toThrow('killed');
    // Most records matched by this model meanwhile: a run opened now would mark record by record, but this one goes on as it began.
    await pool.query(`UPDATE match_subject SET model_version = $1 WHERE side = 'missing'`, [modelVersion]);
    const resumed = await openRun(pool, modelVersion, false);
    expect(resumed).toMatchObject({ id: run.id, weighsEvery: true });
    expect(await queueRun(pool, db.boss, modelVersion, resumed, () => {}, 10)).toBe(reports - 10 + children.length);
    const { rows } = await pool.query<{ side: string; record_id: string; later: unknown }>(
      `SELECT j.data->>'side' AS side, r.record_id, j.data->'reweighLater' AS later FROM (${matchJobRecordsSql}) r JOIN pgboss.job j ON j.id = r.job_id`);
    expect(rows.filter((row) => row.side === 'found').map((row) => row.record_id).sort()).toEqual(children);
    expect(rows.filter((row) => row.side === 'missing').length).toBe(reports);
    expect(new Set(rows.map((row) => row.later))).toEqual(new Set(['every']));
    await pool.query(`DELETE FROM pgboss.job WHERE name = 'match'`);
    await matchEveryRecord();
  });
});

describe('records matched by another model', () => {
  it('are counted and named in a warning when a worker starts, and not once they are matched again', async () => {
    const { lines, logger } = warningsLog();
    const ctx = { pool: db.database.pool, boss: db.boss };
    const report = fullMissingReport();
    const { id } = (await records.fileRecord(ctx, missingSide, report, filer)).body as { id: string };
    const settings = { floor: 0.001, topK: 10 };
    await matchRecord(db.database.pool, createEngine({ ...defaultModel, version: 'milap-model-of-last-year' }), settings, { side: 'missing', id, version: 1 });

    await warnOfStaleMatches(db.database.pool, defaultModel.version, logger);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ modelVersion: defaultModel.version, otherVersions: ['milap-model-of-last-year'], records: 1 });
    expect(lines[0]!.msg).toContain('npx milap rematch');
    // Logs carry no names: the report's child is not in the warning.
    expect(JSON.stringify(lines[0])).not.toContain(report.name!.split(' ')[0]!);

    await matchRecord(db.database.pool, createEngine(), settings, { side: 'missing', id, version: 1 });
    await warnOfStaleMatches(db.database.pool, defaultModel.version, logger);
    expect(lines).toHaveLength(1);
  });
});

describe('records matched under other rules of the matchers', () => {
  it('are counted in a warning and re-matched by a plain rematch, and not once they are matched again', async () => {
    const { lines, logger } = warningsLog();
    const report = fullMissingReport();
    const { id, matchAgain } = await filedAndMatched('missing', report);
    const remaining = await plainRunCount();
    expect(await matchedUnderOtherRules(db.database.pool)).toBeNull();

    // As if matched by the code before the rules changed, with the same model.
    await db.database.pool.query('UPDATE match_subject SET matcher_version = $2 WHERE record_id = $1', [id, matcherVersion - 1]);
    expect(await matchedUnderOtherRules(db.database.pool)).toEqual({ records: 1, versions: [matcherVersion - 1] });
    expect(await plainRunCount()).toBe(remaining + 1);
    await warnOfStaleMatches(db.database.pool, defaultModel.version, logger);
    const warning = lines.find((line) => 'otherMatcherVersions' in line);
    expect(warning).toMatchObject({ matcherVersion, otherMatcherVersions: [matcherVersion - 1], records: 1 });
    expect(warning!.msg).toContain('npx milap rematch');
    expect(JSON.stringify(lines)).not.toContain(report.name!.split(' ')[0]!);

    await matchAgain();
    expect(await matchedUnderOtherRules(db.database.pool)).toBeNull();
    expect(await plainRunCount()).toBe(remaining);
  });
});

describe('found children matched before ranked admission', () => {
  it('are counted in a warning and re-matched by a plain rematch, and not once they are matched again', async () => {
    const { lines, logger } = warningsLog();
    // A plain run of a few records (one of most would queue every found child whatever she was matched by).
    await matchEveryRecord();
    const child = fullFoundChild();
    const { id, matchAgain } = await filedAndMatched('found', child);
    const before = await unrankedChildren(db.database.pool);
    const remaining = await plainRunCount();

    // As if matched before migrations/014: no rank floor.
    await db.database.pool.query('DELETE FROM match_rank_floor WHERE record_id = $1', [id]);
    expect(await unrankedChildren(db.database.pool)).toBe(before + 1);
    expect(await plainRunCount()).toBe(remaining + 1);
    await warnOfStaleMatches(db.database.pool, defaultModel.version, logger);
    const warning = lines.find((line) => 'foundChildren' in line);
    expect(warning).toMatchObject({ foundChildren: before + 1 });
    expect(warning!.msg).toContain('npx milap rematch');
    expect(JSON.stringify(lines)).not.toContain(child.name!.split(' ')[0]!);

    await matchAgain();
    expect(await unrankedChildren(db.database.pool)).toBe(before);
    expect(await plainRunCount()).toBe(remaining);
  });
});
