// A re-match of every record, as `milap rematch --all` queues it, weighs each candidate pair and each
// possible duplicate once (src/matching/match-job.ts, Reweigh 'every'), where the worker holds the
// keys in memory, and leaves, once swept, the pairs and duplicates jobs that weigh everything twice leave.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateWorld } from '../../fixtures/synth/world.ts';
import { createEngine, type MatchEngine } from '../../src/matching/engine.ts';
import { liveKeysOf } from '../../src/matching/live-keys.ts';
import { matchRecords, type MatchOutcome } from '../../src/matching/match-job.ts';
import { reweighEveryPair } from '../../src/matching/store.ts';
import * as records from '../../src/records/service.ts';
import { foundSide, missingSide } from '../../src/records/sides.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

let db: TestDatabase;
const reports: string[] = [];
const children: string[] = [];
const settings = { floor: 0.001, topK: 10 };
const filer = { actorId: null, actorName: 'test', requestId: null };

beforeAll(async () => {
  db = await createTestDatabase();
  const ctx = { pool: db.database.pool, boss: db.boss };
  // Reports filed twice over, by other stations, and children registered in two shelters: possible duplicates on both sides.
  const world = generateWorld({ missing: 240, found: 90, seed: 57 });
  const again = <R extends { ref: string }>(list: readonly R[], every: number) => list.filter((_, i) => i % every === 0).map((record) => ({ ...record, ref: `${record.ref}-AGAIN` }));
  for (const report of [...world.missing, ...again(world.missing, 4)]) reports.push(((await records.fileRecord(ctx, missingSide, report, filer)).body as { id: string }).id);
  for (const child of [...world.found, ...again(world.found, 3)]) children.push(((await records.fileRecord(ctx, foundSide, child, filer)).body as { id: string }).id);
  await db.database.pool.query(`DELETE FROM pgboss.job WHERE name = 'match'`); // matched below, by hand
  // The worker's keys in memory, as a worker holding them searches.
  await liveKeysOf(db.database.pool).build(db.database.pool, createEngine());
}, 120_000);
afterAll(async () => db?.close());

/** Every candidate pair and possible duplicate, by its records' refs, with its probabilities. */
async function snapshot(): Promise<string[]> {
  const { rows } = await db.database.pool.query<{ line: string }>(
    `SELECT m.ref || ' ~ ' || f.ref || ' ' || c.state || ' ' || round(c.pair_probability::numeric, 9) || ' ' || round(c.probability::numeric, 9) AS line
       FROM candidate_pair c JOIN missing_report m ON m.id = c.missing_id JOIN found_child f ON f.id = c.found_id
     UNION ALL
     SELECT 'duplicate ' || a.ref || ' ~ ' || b.ref || ' ' || round(d.probability::numeric, 9)
       FROM duplicate_pair d JOIN missing_report a ON a.id = d.record_a JOIN missing_report b ON b.id = d.record_b
     UNION ALL
     SELECT 'duplicate ' || a.ref || ' ~ ' || b.ref || ' ' || round(d.probability::numeric, 9)
       FROM duplicate_pair d JOIN found_child a ON a.id = d.record_a JOIN found_child b ON b.id = d.record_b
     ORDER BY 1`,
  );
  return rows.map((row) => row.line);
}

/** An engine that counts how often each pair of records is weighed, as candidates and as possible duplicates. */
function counting(engine: MatchEngine) {
  const weighed = { pairs: new Map<string, number>(), duplicates: new Map<string, number>() };
  const count = (of: Map<string, number>, x: string, y: string) => {
    const pair = x < y ? `${x}:${y}` : `${y}:${x}`;
    of.set(pair, (of.get(pair) ?? 0) + 1);
  };
  const counted: MatchEngine = {
    ...engine,
    cached: engine.cached,
    score: (missing, found, ...rest) => (count(weighed.pairs, missing.id, found.id), engine.score(missing, found, ...rest)),
    scoreAbove: (missing, found, ...rest) => (count(weighed.pairs, missing.id, found.id), engine.scoreAbove(missing, found, ...rest)),
    scoreDuplicate: (a, b, floor) => (count(weighed.duplicates, a.id, b.id), engine.scoreDuplicate(a, b, floor)),
  };
  return { engine: counted, weighed };
}

/** Matches every record, reports first, then children, 32 to a pass, as a re-match's workers do. */
async function matchEvery(engine: MatchEngine, reweigh: 'now' | 'every'): Promise<MatchOutcome[]> {
  const outcomes: MatchOutcome[] = [];
  for (const [side, ids] of [['missing', reports], ['found', children]] as const) {
    for (let at = 0; at < ids.length; at += 32) {
      outcomes.push(...(await matchRecords(db.database.pool, engine, settings, ids.slice(at, at + 32).map((id) => ({ side, id, version: 1 })), reweigh)));
    }
  }
  return outcomes;
}

const forgetPairs = async () => {
  await db.database.pool.query('DELETE FROM candidate_pair');
  await db.database.pool.query('DELETE FROM duplicate_pair');
};

describe('a re-match of every record', () => {
  it('weighs each pair and each possible duplicate once, and once swept leaves what jobs weighing both ways leave', async () => {
    const engine = createEngine();
    // Twice round, as jobs that weigh at once: the second round meets every record in the name counts.
    await matchEvery(engine, 'now');
    const both = counting(engine);
    await matchEvery(both.engine, 'now');
    const atOnce = await snapshot();
    expect(atOnce.filter((line) => line.startsWith('duplicate')).length).toBeGreaterThan(30);
    expect(atOnce.filter((line) => !line.startsWith('duplicate')).length).toBeGreaterThan(30);
    // Matched both ways round, most pairs and duplicates are weighed twice.
    const twice = (of: Map<string, number>) => [...of.values()].filter((n) => n > 1).length / of.size;
    expect(twice(both.weighed.pairs)).toBeGreaterThan(0.9);
    expect(twice(both.weighed.duplicates)).toBeGreaterThan(0.5);

    await forgetPairs();
    const once = counting(engine);
    const outcomes = await matchEvery(once.engine, 'every');
    expect(outcomes.every((outcome) => outcome.outcome === 'matched')).toBe(true);
    expect(Math.max(...once.weighed.pairs.values())).toBe(1);
    expect(Math.max(...once.weighed.duplicates.values())).toBe(1);
    // Every pair and possible duplicate weighed both ways round is weighed once.
    expect([...once.weighed.pairs.keys()].sort()).toEqual([...both.weighed.pairs.keys()].sort());
    expect([...once.weighed.duplicates.keys()].sort()).toEqual([...both.weighed.duplicates.keys()].sort());
    await reweighEveryPair(db.database.pool, [], settings);
    expect(await snapshot()).toEqual(atOnce);
  }, 120_000);

  it("drops a record's proposals that neither record's search admits any more, and keeps those its partner's search admits", async () => {
    const engine = createEngine();
    const duplicates = async () => (await db.database.pool.query<{ id: string; record_a: string; record_b: string }>(`SELECT id, record_a, record_b FROM duplicate_pair WHERE side = 'missing' ORDER BY id`)).rows;
    const before = await duplicates();
    expect(before.length).toBeGreaterThan(10);
    // A proposal no search admits: two reports far apart (a stale one, as a report's edit leaves before its own job).
    const [x, y] = [reports[0]!, reports[reports.length - 1]!];
    const [a, b] = x < y ? [x, y] : [y, x];
    await db.database.pool.query(
      `INSERT INTO duplicate_pair (side, record_a, record_b, probability, match_weight, explanation, model_version) VALUES ('missing', $1, $2, 0.9, 3, '[]', $3)`,
      [a, b, engine.modelVersion]);
    // The reports of every proposal, re-matched in passes that hold only one record of each pair.
    const ofBefore = new Set(before.map((pair) => pair.record_b));
    await matchRecords(db.database.pool, engine, settings, [...ofBefore, a].map((id) => ({ side: 'missing' as const, id, version: 1 })), 'every');
    const after = await duplicates();
    expect(after.map((pair) => pair.id)).toEqual(before.map((pair) => pair.id));
  }, 120_000);
});
