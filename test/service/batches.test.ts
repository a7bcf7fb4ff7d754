// Records matched together, as a worker matches the jobs it fetches at once: each gets exactly the
// pairs it gets when matched alone, and a record that cannot be matched holds up nobody else's.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateWorld } from '../../fixtures/synth/world.ts';
import { WorkerMetrics } from '../../src/jobs/metrics.ts';
import { matchJobRecordsSql, sendMatchJob } from '../../src/jobs/queue.ts';
import { startWorkers } from '../../src/jobs/workers.ts';
import { createEngine } from '../../src/matching/engine.ts';
import { matchRecord, matchRecords } from '../../src/matching/match-job.ts';
import { withTransaction } from '../../src/db/database.ts';
import * as records from '../../src/records/service.ts';
import { foundSide, missingSide } from '../../src/records/sides.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { fullFoundChild } from '../helpers/people.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db.close());

const filer = { actorId: null, actorName: 'test', requestId: null };
const settings = { floor: 0.001, topK: 10 };

/** Every candidate and possible duplicate, by the refs of its records, with its probabilities. */
async function snapshot(): Promise<string[]> {
  const { rows } = await db.database.pool.query(
    `SELECT m.ref || ' ~ ' || f.ref || ' ' || c.state || ' ' || round(c.pair_probability::numeric, 9) || ' ' || round(c.probability::numeric, 9) AS line
       FROM candidate_pair c JOIN missing_report m ON m.id = c.missing_id JOIN found_child f ON f.id = c.found_id
     UNION ALL
     SELECT 'duplicate ' || a.ref || ' ~ ' || b.ref || ' ' || round(d.probability::numeric, 9)
       FROM duplicate_pair d JOIN found_child a ON a.id = d.record_a JOIN found_child b ON b.id = d.record_b
     ORDER BY 1`,
  );
  return rows.map((row) => row.line);
}

/** Forgets what matching derived for the found children: their keys, subjects, pairs and duplicates. */
async function forgetFoundMatching(): Promise<void> {
  await db.database.pool.query(`DELETE FROM candidate_pair`);
  await db.database.pool.query(`DELETE FROM duplicate_pair WHERE side = 'found'`);
  await db.database.pool.query(`DELETE FROM match_key WHERE side = 'found'`);
  await db.database.pool.query(`DELETE FROM match_subject WHERE side = 'found'`);
}

describe('records matched together', () => {
  it('get exactly the pairs, probabilities and duplicates each gets when matched alone', async () => {
    const ctx = { pool: db.database.pool, boss: db.boss };
    const world = generateWorld({ missing: 80, found: 30, seed: 21 });
    const engine = createEngine();
    const reports: string[] = [];
    for (const report of world.missing) reports.push(((await records.fileRecord(ctx, missingSide, report, filer)).body as { id: string }).id);
    const children: string[] = [];
    for (const child of world.found) children.push(((await records.fileRecord(ctx, foundSide, child, filer)).body as { id: string }).id);
    for (const id of reports) await matchRecord(db.database.pool, engine, settings, { side: 'missing', id, version: 1 });

    // One at a time, twice over: the second round sees every child in the name counts, as a batch does.
    for (let round = 0; round < 2; round++) {
      for (const id of children) await matchRecord(db.database.pool, engine, settings, { side: 'found', id, version: 1 });
    }
    const alone = await snapshot();
    expect(alone.filter((line) => !line.startsWith('duplicate')).length).toBeGreaterThan(15);

    await forgetFoundMatching();
    const outcomes = await matchRecords(db.database.pool, engine, settings, children.map((id) => ({ side: 'found' as const, id, version: 1 })));
    expect(outcomes.map((outcome) => outcome.outcome)).toEqual(children.map(() => 'matched'));
    expect(await snapshot()).toEqual(alone);
  }, 120_000);

  it('answer each record in the order asked, gone and stale ones included, and match a record named twice once', async () => {
    const ctx = { pool: db.database.pool, boss: db.boss };
    const engine = createEngine();
    const child = ((await records.fileRecord(ctx, foundSide, fullFoundChild(), filer)).body as { id: string }).id;
    const edited = ((await records.fileRecord(ctx, foundSide, fullFoundChild(), filer)).body as { id: string }).id;
    await records.updateRecord(ctx, foundSide, edited, { heightCm: 120 }, 'test');
    const nobody = '00000000-0000-4000-8000-000000000001';
    const outcomes = await matchRecords(db.database.pool, engine, settings, [
      { side: 'found', id: edited, version: 1 },
      { side: 'found', id: nobody, version: 1 },
      { side: 'found', id: child, version: 1 },
      { side: 'found', id: child, version: 1 },
    ]);
    expect(outcomes.map((outcome) => outcome.outcome)).toEqual(['stale', 'gone', 'matched', 'matched']);
    const { rows } = await db.database.pool.query(`SELECT record_id FROM match_subject WHERE side = 'found' AND record_id = ANY($1::uuid[])`, [[child, edited, nobody]]);
    expect(rows.map((row) => row.record_id)).toEqual([child]);
  });

  it('keep the key rows of each record to what it carries: a re-match rewrites none, an edit only what changed', async () => {
    const ctx = { pool: db.database.pool, boss: db.boss };
    const engine = createEngine();
    const child = fullFoundChild();
    const id = ((await records.fileRecord(ctx, foundSide, child, filer)).body as { id: string }).id;
    const keyRows = async () =>
      new Map((await db.database.pool.query(`SELECT key, xmin::text AS version, born_from::text AS "bornFrom" FROM match_key WHERE side = 'found' AND record_id = $1`, [id])).rows.map((row) => [row.key as string, row]));
    const expectedKeys = async () => {
      const { rows } = await db.database.pool.query(`SELECT version, record FROM found_child WHERE id = $1`, [id]);
      return [...new Set(engine.prepare('found', id, rows[0].version, rows[0].record).keys)].sort();
    };
    await matchRecord(db.database.pool, engine, settings, { side: 'found', id, version: 1 });
    const first = await keyRows();
    expect([...first.keys()].sort()).toEqual(await expectedKeys());

    await matchRecord(db.database.pool, engine, settings, { side: 'found', id, version: 1 });
    const again = await keyRows();
    expect([...again.entries()].map(([key, row]) => [key, row.version])).toEqual([...first.entries()].map(([key, row]) => [key, row.version]));

    // A new name: the name's keys change, the others stay as they were written; a new age moves every row's interval.
    await records.updateRecord(ctx, foundSide, id, { name: 'Tanushree' }, 'test');
    await matchRecord(db.database.pool, engine, settings, { side: 'found', id, version: 2 });
    const renamed = await keyRows();
    expect([...renamed.keys()].sort()).toEqual(await expectedKeys());
    const kept = [...renamed.keys()].filter((key) => first.has(key));
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(renamed.size);
    for (const key of kept) expect(renamed.get(key)!.version, key).toBe(first.get(key)!.version);

    await records.updateRecord(ctx, foundSide, id, { apparentAgeYears: 7, ageRangeYears: [6, 8] }, 'test');
    await matchRecord(db.database.pool, engine, settings, { side: 'found', id, version: 3 });
    const younger = await keyRows();
    expect([...younger.keys()].sort()).toEqual(await expectedKeys());
    const { rows } = await db.database.pool.query(`SELECT born_from::text AS "bornFrom" FROM match_subject WHERE side = 'found' AND record_id = $1`, [id]);
    expect(rows[0].bornFrom).not.toBe(renamed.values().next().value!.bornFrom);
    for (const row of younger.values()) expect(row.bornFrom).toBe(rows[0].bornFrom);
  });

  it('in a worker: a record that cannot be matched fails only its own job, naming it; the others fetched with it are matched', async () => {
    const ctx = { pool: db.database.pool, boss: db.boss };
    await db.database.pool.query(`DELETE FROM pgboss.job WHERE name = 'match'`); // the earlier tests' filings, matched there
    // A row no release of milap writes (its record is JSON null): preparing it for matching throws.
    const broken = await withTransaction(db.database.pool, async (tx) => {
      const { rows } = await tx.query(
        `INSERT INTO found_child (filing_unit, ref, record, event_date, created_by, updated_by) VALUES ('unit', 'BROKEN-1', 'null'::jsonb, '2024-01-01', 't', 't') RETURNING id`,
      );
      await sendMatchJob(db.boss, tx, { side: 'found', id: rows[0].id, version: 1 });
      return rows[0].id as string;
    });
    const good: string[] = [];
    for (let i = 0; i < 6; i++) good.push(((await records.fileRecord(ctx, foundSide, fullFoundChild(), filer)).body as { id: string }).id);
    const metrics = new WorkerMetrics();
    await startWorkers(db.boss, db.database, pino({ level: 'silent' }), metrics, { concurrency: 1, floor: 0.001, topK: 10 });
    const jobOf = async (id: string) =>
      (await db.database.pool.query(`SELECT j.state, j.output FROM (${matchJobRecordsSql}) r JOIN pgboss.job j ON j.id = r.job_id WHERE r.record_id = $1`, [id])).rows[0];
    for (let waited = 0; waited < 60_000; waited += 200) {
      const states = await Promise.all([broken, ...good].map(async (id) => (await jobOf(id))?.state));
      if (states[0] !== 'created' && states[0] !== 'active' && states.slice(1).every((state) => state === 'completed')) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    for (const id of good) expect((await jobOf(id)).state).toBe('completed');
    const failed = await jobOf(broken);
    expect(['retry', 'failed']).toContain(failed.state);
    expect(failed.output.failed.map((entry: { id: string }) => entry.id)).toEqual([broken]);
    // /metrics counts each good record once, and failures only of the record that failed on its own.
    expect(metrics.processed).toBe(good.length);
    expect(metrics.failed).toBeGreaterThanOrEqual(1);
    expect(metrics.failed).toBeLessThan(good.length);
    const { rows } = await db.database.pool.query(`SELECT record_id FROM match_subject WHERE side = 'found' AND record_id = ANY($1::uuid[])`, [[broken, ...good]]);
    expect(rows.map((row) => row.record_id).sort()).toEqual([...good].sort());
  }, 120_000);
});
