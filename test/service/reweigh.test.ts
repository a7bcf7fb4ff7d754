// A re-match's jobs mark the records whose candidates moved instead of weighing their pairs'
// competing probabilities after every pass; one sweep weighs them when the run's jobs are done.
// What officers then see is what jobs that weigh at once leave.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateWorld } from '../../fixtures/synth/world.ts';
import { buildApp } from '../../src/app.ts';
import { issueToken } from '../../src/access/credentials.ts';
import { createUser } from '../../src/access/users.ts';
import { DirectoryPhotoStore } from '../../src/photos/store.ts';
import { WorkerMetrics } from '../../src/jobs/metrics.ts';
import { matchJobRecordsSql } from '../../src/jobs/queue.ts';
import { reweighSweeper, startWorkers } from '../../src/jobs/workers.ts';
import { createEngine } from '../../src/matching/engine.ts';
import { matchRecord, matchRecords } from '../../src/matching/match-job.ts';
import { openRun, queueRun, weighsEveryPair } from '../../src/matching/rematch.ts';
import { markReweighDue, refreshProbabilities, reweighDue, reweighEveryPair } from '../../src/matching/store.ts';
import * as records from '../../src/records/service.ts';
import { foundSide, missingSide } from '../../src/records/sides.ts';
import { createTestDatabase, onPostgres, type TestDatabase } from '../helpers/database.ts';

let db: TestDatabase;
let app: Awaited<ReturnType<typeof buildApp>>;
const reports: string[] = [];
const children: string[] = [];
const engine = createEngine();
const settings = { floor: 0.001, topK: 10 };
const filer = { actorId: null, actorName: 'test', requestId: null };

beforeAll(async () => {
  db = await createTestDatabase();
  app = await buildApp({ config: { BODY_LIMIT_BYTES: 64 * 1024, SECURE_COOKIES: 'off' }, pool: db.database.pool, boss: db.boss, photoStore: new DirectoryPhotoStore(mkdtempSync(join(tmpdir(), 'milap-photos-'))) });
  const ctx = { pool: db.database.pool, boss: db.boss };
  const world = generateWorld({ missing: 80, found: 30, seed: 33 });
  for (const report of world.missing) reports.push(((await records.fileRecord(ctx, missingSide, report, filer)).body as { id: string }).id);
  for (const child of world.found) children.push(((await records.fileRecord(ctx, foundSide, child, filer)).body as { id: string }).id);
  await db.database.pool.query(`DELETE FROM pgboss.job WHERE name = 'match'`); // matched below, by hand
}, 120_000);
afterAll(async () => {
  await app?.close();
  await db?.close();
});

/** The bearer header of a national admin, who may read /metrics. */
async function adminHeaders() {
  const user = await createUser(db.database.pool, { username: 'admin-1', displayName: 'Test admin', role: 'admin', password: 'correct horse battery staple', scope: 'national' });
  return { authorization: `Bearer ${(await issueToken(db.database.pool, user.id, 'test', 1)).token}` };
}

/** Every candidate pair by its records' refs, with its own and its competing probability. */
async function pairs(): Promise<string[]> {
  const { rows } = await db.database.pool.query<{ line: string }>(
    `SELECT m.ref || ' ~ ' || f.ref || ' ' || c.state || ' ' || round(c.pair_probability::numeric, 9) || ' ' || round(c.probability::numeric, 9) AS line
       FROM candidate_pair c JOIN missing_report m ON m.id = c.missing_id JOIN found_child f ON f.id = c.found_id ORDER BY 1`,
  );
  return rows.map((row) => row.line);
}

const dueCount = async () => (await db.database.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM pair_reweigh_due')).rows[0]!.n;
const everyCount = async () => (await db.database.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM pair_reweigh_every')).rows[0]!.n;

/** The children's pairs forgotten, and their match subjects and keys: matching them again moves every pair. */
async function forgetChildrenMatching(): Promise<void> {
  await db.database.pool.query(`DELETE FROM candidate_pair`);
  await db.database.pool.query(`DELETE FROM match_key WHERE side = 'found'`);
  await db.database.pool.query(`DELETE FROM match_subject WHERE side = 'found'`);
}

describe("a re-match's competing probabilities", () => {
  let atOnce: string[] = [];
  const childJobs = () => children.map((id) => ({ side: 'found' as const, id, version: 1 }));
  const now = async () => (await db.database.pool.query<{ at: Date }>('SELECT clock_timestamp() AS at')).rows[0]!.at;

  it('are weighed by one sweep after its jobs, to what jobs that weigh at once leave', async () => {
    for (const id of reports) await matchRecord(db.database.pool, engine, settings, { side: 'missing', id, version: 1 });
    await matchRecords(db.database.pool, engine, settings, childJobs());
    atOnce = await pairs();
    // Children competing for the same reports: weighing moves probabilities, or this test could not fail.
    expect(atOnce.length).toBeGreaterThan(15);
    expect(atOnce.filter((line) => { const [own, competing] = line.split(' ').slice(-2); return own !== competing; }).length).toBeGreaterThan(5);

    await forgetChildrenMatching();
    await matchRecords(db.database.pool, engine, settings, childJobs(), 'later');
    // The same pairs, each with its own probability, not yet weighed against its competitors.
    const unweighed = await pairs();
    expect(unweighed.map((line) => line.split(' ').slice(0, -1).join(' '))).toEqual(atOnce.map((line) => line.split(' ').slice(0, -1).join(' ')));
    expect(unweighed).not.toEqual(atOnce);
    const { rows: marked } = await db.database.pool.query<{ side: string; record_id: string }>('SELECT DISTINCT side, record_id FROM pair_reweigh_due');
    expect(marked.filter((row) => row.side === 'found').map((row) => row.record_id).sort()).toEqual(
      (await db.database.pool.query<{ id: string }>('SELECT DISTINCT found_id AS id FROM candidate_pair')).rows.map((row) => row.id).sort(),
    );

    // Operators see them waiting.
    const ready = async () => (await app.inject({ method: 'GET', url: '/ready' })).json().matchJobs.reweighMarks;
    expect(await ready()).toBe(await dueCount());
    expect(await ready()).toBeGreaterThanOrEqual(marked.length);
    expect((await app.inject({ method: 'GET', url: '/metrics', headers: await adminHeaders() })).body).toContain(`milap_match_reweigh_marks ${await ready()}\n`);

    // Several batches; the jobs done, a report's pairs with the children weighed before it are not weighed again.
    expect((await reweighDue(db.database.pool, { batchSize: 7, settledAt: await now() })).records).toBe(marked.length);
    expect(await pairs()).toEqual(atOnce);
    expect(await dueCount()).toBe(0);
    expect(await ready()).toBe(0);
  }, 120_000);

  it("weigh a report's pairs with children the sweep has not weighed, and all its pairs if marked after the jobs were done", async () => {
    // Half the children not due (their marks lost): only their reports' sweeps can weigh their pairs.
    for (const settledAt of ['after', 'before'] as const) {
      await forgetChildrenMatching();
      const before = await now();
      await matchRecords(db.database.pool, engine, settings, childJobs(), 'later');
      await db.database.pool.query(`DELETE FROM pair_reweigh_due WHERE side = 'found' AND record_id = ANY($1::uuid[])`, [children.filter((_, n) => n % 2)]);
      await reweighDue(db.database.pool, { batchSize: 7, settledAt: settledAt === 'after' ? await now() : before });
      expect(await pairs(), settledAt).toEqual(atOnce);
    }
  }, 120_000);

  it.skipIf(!onPostgres)('keep a mark made while a sweep weighs its record, for the next sweep, and the sweep does not wait for it', async () => {
    const [report] = reports;
    await markReweighDue(db.database.pool, { missing: [report!], found: [] });
    // A job marks the report again and has not committed when the sweep reads and clears its batch's marks.
    const tx = await db.database.pool.connect();
    try {
      await tx.query('BEGIN');
      await markReweighDue(tx, { missing: [report!], found: [] });
      const waited = new Promise((_, reject) => setTimeout(() => reject(new Error('the sweep waited for the uncommitted job')), 5000).unref());
      expect(await Promise.race([reweighDue(db.database.pool), waited])).toEqual({ records: 1, pairs: expect.any(Number) });
    } finally {
      await tx.query('COMMIT');
      tx.release();
    }
    const { rows } = await db.database.pool.query('SELECT side, record_id FROM pair_reweigh_due');
    expect(rows).toEqual([{ side: 'missing', record_id: report }]);
    await reweighDue(db.database.pool);
    expect(await dueCount()).toBe(0);
  });

  it.skipIf(!onPostgres)('are marked by jobs at once without waiting for each other', async () => {
    // Two jobs' transactions moved pairs of the same records; neither has committed.
    const [first, second] = [await db.database.pool.connect(), await db.database.pool.connect()];
    try {
      await first.query('BEGIN');
      await second.query("BEGIN; SET LOCAL lock_timeout = '2s'");
      await markReweighDue(first, { missing: reports.slice(0, 3), found: children.slice(0, 3) });
      await markReweighDue(second, { missing: reports.slice(1, 4), found: children.slice(1, 4) });
      await second.query('COMMIT');
      await first.query('COMMIT');
    } finally {
      first.release();
      second.release();
    }
    // Each job's marks its own: twelve marks of eight records.
    expect((await app.inject({ method: 'GET', url: '/ready' })).json().matchJobs.reweighMarks).toBe(12);
    expect((await reweighDue(db.database.pool)).records).toBe(8);
    expect(await dueCount()).toBe(0);
  });

  it("of a filing's job are marked when weighing fails after its commit, and a sweep weighs them", async () => {
    await forgetChildrenMatching();
    const pool = db.database.pool;
    // Half the children's pairs gone and the rest weighed without them: filing the other half again
    // moves the first half's pairs (a job stores its own new pairs weighed already: store.ts, upsertSql).
    await matchRecords(pool, engine, settings, childJobs());
    const secondHalf = childJobs().slice(children.length / 2);
    await pool.query('DELETE FROM candidate_pair WHERE found_id = ANY($1::uuid[])', [secondHalf.map((job) => job.id)]);
    await refreshProbabilities(pool, { missing: reports, found: children });
    // The database refuses to weigh: the pairs are stored, then the weighing after the commit fails.
    await pool.query(`CREATE FUNCTION refuse_weighing() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'weighing refused'; END $$`);
    await pool.query('CREATE TRIGGER refuse_weighing BEFORE UPDATE OF probability ON candidate_pair FOR EACH ROW EXECUTE FUNCTION refuse_weighing()');
    try {
      await expect(matchRecords(pool, engine, settings, secondHalf)).rejects.toThrow(/weighing refused/);
    } finally {
      await pool.query('DROP TRIGGER refuse_weighing ON candidate_pair');
      await pool.query('DROP FUNCTION refuse_weighing()');
    }
    const withoutWeighing = (lines: string[]) => lines.map((line) => line.split(' ').slice(0, -1).join(' '));
    expect(withoutWeighing(await pairs())).toEqual(withoutWeighing(atOnce));
    // The job's retry finds nothing moved: only the marks left by the failure get the pairs weighed.
    await matchRecords(pool, engine, settings, secondHalf);
    expect(await pairs()).not.toEqual(atOnce);
    expect(await dueCount()).toBeGreaterThan(secondHalf.length);
    await reweighDue(pool);
    expect(await pairs()).toEqual(atOnce);
    expect(await dueCount()).toBe(0);
  }, 120_000);

  it("of a filing's new pairs are stored weighed: the refresh after its job writes none of them again", async () => {
    await forgetChildrenMatching();
    const pool = db.database.pool;
    await pool.query('CREATE TABLE pair_weighed_again (id uuid)');
    await pool.query(`CREATE FUNCTION note_weighing() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO pair_weighed_again VALUES (NEW.id); RETURN NEW; END $$`);
    await pool.query('CREATE TRIGGER note_weighing AFTER UPDATE OF probability ON candidate_pair FOR EACH ROW EXECUTE FUNCTION note_weighing()');
    try {
      // Every child's pairs new, and weighed against each other by the job that stores them.
      await matchRecords(pool, engine, settings, childJobs());
      expect((await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM pair_weighed_again')).rows[0]!.n).toBe(0);
    } finally {
      await pool.query('DROP TRIGGER note_weighing ON candidate_pair');
      await pool.query('DROP FUNCTION note_weighing()');
      await pool.query('DROP TABLE pair_weighed_again');
    }
    expect(await pairs()).toEqual(atOnce);
  }, 120_000);

  it('are swept once a look finds the re-match done, a look at most every so often, and no call lost', async () => {
    await markReweighDue(db.database.pool, { missing: reports.slice(0, 2), found: children.slice(0, 2) });
    // A re-match's job still waits: the first call looks at once, and leaves the marks.
    const [job] = (await db.database.pool.query<{ id: string }>(
      `INSERT INTO pgboss.job (name, data) VALUES ('match', '{"side": "found", "records": [], "reweighLater": true}') RETURNING id`,
    )).rows;
    const sweep = reweighSweeper(db.database, pino({ level: 'silent' }), settings, { lookEveryMs: 1500 });
    try {
      await sweep();
      expect(await dueCount()).toBe(4);
      // Its last job fetched: a call this soon after the look is answered later, by one look for it.
      const started = performance.now();
      await sweep([job!.id]);
      expect(await dueCount()).toBe(4);
      while ((await dueCount()) > 0 && performance.now() - started < 10_000) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await dueCount()).toBe(0);
      expect(performance.now() - started).toBeGreaterThan(1000);
    } finally {
      sweep.stop();
      await db.database.pool.query('DELETE FROM pgboss.job WHERE id = $1', [job!.id]);
    }
  });

  it('of a re-match of most records: every pair weighed once, and only the marks read before are cleared', async () => {
    await forgetChildrenMatching();
    await matchRecords(db.database.pool, engine, settings, childJobs(), 'every');
    expect(await dueCount()).toBe(0);
    expect(await pairs()).not.toEqual(atOnce);
    const mark = async () => (await db.database.pool.query<{ mark: string }>('INSERT INTO pair_reweigh_every (run_id) VALUES (NULL) RETURNING mark')).rows[0]!.mark;
    const read = await mark();
    const queuedSince = await mark();
    // Several batches of children, three at once (each on a connection of its own on PostgreSQL); every
    // pair as jobs that weigh at once leave it.
    const swept = await reweighEveryPair(db.database.pool, [read], settings, { batchSize: 7, parallel: { pool: db.database.pool, connections: 3 } });
    expect(swept.children).toBe((await db.database.pool.query<{ n: number }>('SELECT count(DISTINCT found_id)::int AS n FROM candidate_pair')).rows[0]!.n);
    expect(await pairs()).toEqual(atOnce);
    expect((await db.database.pool.query('SELECT mark FROM pair_reweigh_every')).rows).toEqual([{ mark: queuedSince }]);
    await db.database.pool.query('DELETE FROM pair_reweigh_every');
  }, 120_000);

  it('of a re-match of every record: each pair weighed once, from its child, and the sweep leaves what jobs that weigh at once leave', async () => {
    await db.database.pool.query('DELETE FROM candidate_pair');
    const reportJobs = reports.map((id) => ({ side: 'missing' as const, id, version: 1 }));
    // One report's keys as if derived under other rules: it searches for its own pairs.
    await db.database.pool.query(`UPDATE match_subject SET keys_digest = NULL WHERE side = 'missing' AND record_id = $1`, [reports[0]]);
    const reportOutcomes = await matchRecords(db.database.pool, engine, settings, reportJobs, 'every');
    expect(reportOutcomes.slice(1).every((outcome) => outcome.outcome === 'matched' && outcome.candidates === 0)).toBe(true);
    expect(reportOutcomes[0]).toMatchObject({ outcome: 'matched' });
    const ownPairs = (await db.database.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM candidate_pair')).rows[0]!.n;
    expect(ownPairs).toBe((await db.database.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM candidate_pair WHERE missing_id = $1', [reports[0]])).rows[0]!.n);
    const childOutcomes = await matchRecords(db.database.pool, engine, settings, childJobs(), 'every');
    expect(childOutcomes.reduce((n, outcome) => n + (outcome.outcome === 'matched' ? outcome.candidates : 0), 0)).toBeGreaterThan(reports.length);
    await db.database.pool.query('INSERT INTO pair_reweigh_every (run_id) VALUES (NULL)');
    const mark = (await db.database.pool.query<{ mark: string }>('SELECT mark FROM pair_reweigh_every')).rows.map((row) => row.mark);
    await reweighEveryPair(db.database.pool, mark, settings, { batchSize: 7 });
    expect(await pairs()).toEqual(atOnce);
  }, 120_000);

  it('of a re-match of every record: the sweep keeps the pending pairs above the floor among either record\'s best, whichever batch meets them', async () => {
    await db.database.pool.query('DELETE FROM candidate_pair');
    // Three reports by four children, every pair above the floor but two, as such a re-match's
    // children's jobs leave them, by their own probabilities (their competing ones, weighed after,
    // in the other order); one pair rejected, which competes but stays.
    const grid = [
      [0.9, 0.8, 0.7, 0.05],
      [0.6, 0.5, 0.4, 0.08],
      [0.85, 0.2, 0.15, 0.95],
    ];
    const all = grid.flatMap((row, r) => row.map((p, c) => ({ m: reports[r]!, f: children[c]!, p, state: r === 2 && c === 0 ? 'rejected' : 'pending' })));
    await db.database.pool.query(
      `INSERT INTO candidate_pair (missing_id, found_id, state, probability, pair_probability, match_weight, model_version, missing_version, found_version)
       SELECT m, f, s, 1 - p, p, 1, $5, 1, 1 FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::float8[]) AS t(m, f, s, p)`,
      [all.map((pair) => pair.m), all.map((pair) => pair.f), all.map((pair) => pair.state), all.map((pair) => pair.p), engine.modelVersion]);
    const kept = { floor: 0.1, topK: 2 };
    const best = (of: 'm' | 'f') => new Set([...new Set(all.map((pair) => pair[of]))].flatMap((id) => all.filter((pair) => pair[of] === id).sort((a, b) => b.p - a.p).slice(0, kept.topK)));
    const [byReport, byChild] = [best('m'), best('f')];
    const expected = all.filter((pair) => pair.state !== 'pending' || (pair.p >= kept.floor && (byReport.has(pair) || byChild.has(pair))));
    // Let go: past both records' best two (0.05, 0.15, 0.2), and a child's best under the floor (0.08);
    // kept: a report's best not its child's (0.6), a child's not its report's (0.7).
    expect(all.filter((pair) => !expected.includes(pair)).map((pair) => pair.p).sort((a, b) => a - b)).toEqual([0.05, 0.08, 0.15, 0.2]);
    expect(byReport.has(all[4]!) && !byChild.has(all[4]!) && byChild.has(all[2]!) && !byReport.has(all[2]!)).toBe(true);
    const line = (pair: { m: string; f: string }) => `${pair.m}:${pair.f}`;
    const swept = await reweighEveryPair(db.database.pool, [], kept, { batchSize: 2, parallel: { pool: db.database.pool, connections: 2 } });
    expect(swept.dropped).toBe(all.length - expected.length);
    const { rows } = await db.database.pool.query<{ m: string; f: string }>('SELECT missing_id AS m, found_id AS f FROM candidate_pair');
    expect(rows.map(line).sort()).toEqual(expected.map(line).sort());
  });

  it("of a re-match of most records are swept only once none of its jobs waits or runs", async () => {
    await forgetChildrenMatching();
    await matchRecords(db.database.pool, engine, settings, childJobs(), 'every');
    await db.database.pool.query('INSERT INTO pair_reweigh_every (run_id) VALUES (NULL)');
    const [job] = (await db.database.pool.query<{ id: string }>(
      `INSERT INTO pgboss.job (name, data) VALUES ('match', '{"side": "found", "records": [], "reweighLater": "every"}') RETURNING id`,
    )).rows;
    const sweep = reweighSweeper(db.database, pino({ level: 'silent' }), settings, { lookEveryMs: 0 });
    try {
      await sweep();
      expect(await everyCount()).toBe(1);
      expect(await pairs()).not.toEqual(atOnce);
      await db.database.pool.query('DELETE FROM pgboss.job WHERE id = $1', [job!.id]);
      await sweep();
      expect(await everyCount()).toBe(0);
      expect(await pairs()).toEqual(atOnce);
    } finally {
      sweep.stop();
      await db.database.pool.query('DELETE FROM pgboss.job WHERE id = $1', [job!.id]);
    }
  }, 120_000);

  it('in workers, running `milap rematch --all`: jobs queued to weigh every pair later, marking nothing, every pair weighed when the last is done', async () => {
    await forgetChildrenMatching();
    const run = await openRun(db.database.pool, 'model-under-test', true);
    expect(await queueRun(db.database.pool, db.boss, 'model-under-test', run, () => {}, 25)).toBe(reports.length + children.length);
    const { rows: queued } = await db.database.pool.query(`SELECT DISTINCT j.data->'reweighLater' AS later FROM (${matchJobRecordsSql}) r JOIN pgboss.job j ON j.id = r.job_id`);
    expect(queued).toEqual([{ later: 'every' }]);
    // A mark with each chunk of 25, in its transaction.
    expect(await everyCount()).toBe(Math.ceil(reports.length / 25) + Math.ceil(children.length / 25));
    expect((await app.inject({ method: 'GET', url: '/ready' })).json().matchJobs.reweighEveryMarks).toBe(await everyCount());
    // Matching the run's records the way its jobs do marks no record.
    await matchRecords(db.database.pool, engine, settings, childJobs(), 'every');
    expect(await dueCount()).toBe(0);
    await forgetChildrenMatching();

    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, new Writable({ write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    } }));
    await startWorkers(db.boss, db.database, logger, new WorkerMetrics(), { concurrency: 2, ...settings });
    const pending = async () => (await db.database.pool.query(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'match' AND state <> 'completed'`)).rows[0].n as number;
    for (let waited = 0; waited < 90_000 && ((await pending()) > 0 || (await dueCount()) > 0); waited += 200) await new Promise((resolve) => setTimeout(resolve, 200));
    for (let waited = 0; waited < 30_000 && (await everyCount()) > 0; waited += 200) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await pending()).toBe(0);
    expect(await dueCount()).toBe(0);
    expect(await everyCount()).toBe(0);
    const swept = lines.filter((line) => String(line.msg).startsWith('weighed again the competing probabilities of every pair'));
    expect(swept.length).toBeGreaterThan(0);
    const withPairs = (await db.database.pool.query<{ n: number }>('SELECT count(DISTINCT found_id)::int AS n FROM candidate_pair')).rows[0]!.n;
    expect(swept.at(-1)!.children).toBe(withPairs);
    expect(withPairs).toBeGreaterThan(children.length / 2);

    // Weighed as a refresh of every record weighs them: nothing left to move.
    const weighed = await pairs();
    expect(weighed.length).toBeGreaterThan(15);
    await refreshProbabilities(db.database.pool, { missing: reports, found: children });
    expect(await pairs()).toEqual(weighed);
  }, 120_000);

  it('of a re-match of a few records are marked record by record, as before', async () => {
    // Every record was matched by the engine's model (above) but three children, matched by none.
    const few = children.slice(0, 3);
    await db.database.pool.query(`DELETE FROM match_key WHERE side = 'found' AND record_id = ANY($1::uuid[])`, [few]);
    await db.database.pool.query(`DELETE FROM match_subject WHERE side = 'found' AND record_id = ANY($1::uuid[])`, [few]);
    const run = await openRun(db.database.pool, engine.modelVersion, false);
    expect(await weighsEveryPair(db.database.pool, engine.modelVersion, run)).toBe(false);
    expect(await weighsEveryPair(db.database.pool, engine.modelVersion, { ...run, allRecords: true, weighsEvery: null })).toBe(true);
    const since = await now();
    expect(await queueRun(db.database.pool, db.boss, engine.modelVersion, run, () => {})).toBe(3);
    const { rows: queued } = await db.database.pool.query(`SELECT DISTINCT j.data->'reweighLater' AS later FROM (${matchJobRecordsSql}) r JOIN pgboss.job j ON j.id = r.job_id WHERE j.created_on >= $1`, [since]);
    expect(queued).toEqual([{ later: true }]);
    expect(await everyCount()).toBe(0);
    // The workers started above match them, and their marks are swept.
    const left = async () => (await db.database.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'match' AND state <> 'completed'`)).rows[0]!.n + (await dueCount());
    for (let waited = 0; waited < 30_000 && (await left()) > 0; waited += 200) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await left()).toBe(0);
  }, 60_000);
});
