// The service and `milap link` agree: a small world posted through the API and matched in the
// background gives each found child the same candidates, with the same probabilities, as linking
// its files does.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { generateWorld } from '../../fixtures/synth/world.ts';
import { linkRecords } from '../../matchers/link.ts';
import { WorkerMetrics } from '../../src/jobs/metrics.ts';
import { startWorkers } from '../../src/jobs/workers.ts';
import { createEngine } from '../../src/matching/engine.ts';
import { liveKeysOf } from '../../src/matching/live-keys.ts';
import { openRun, queueRun } from '../../src/matching/rematch.ts';
import { NameKeyCounts, nameKeyFrequencies, warmNameKeyCounts } from '../../src/matching/store.ts';
import { useTestApp } from '../helpers/app.ts';

const t = useTestApp();

/**
 * No match job left, nor a record a re-match left due to have its pairs weighed, nor a re-match of
 * every record whose sweep has yet to weigh every pair (migrations/025): that sweep comes after its
 * last job, up to a worker's look later (workers.ts, reweighSweeper: at most one every 5 s), and until
 * it has weighed them its pairs hold the probabilities the load's jobs left.
 */
async function drained(): Promise<void> {
  for (;;) {
    const { rows } = await t.db.database.pool.query(
      `SELECT (SELECT count(*) FROM pgboss.job WHERE name = 'match' AND state IN ('created', 'retry', 'active'))
            + (SELECT count(*) FROM pair_reweigh_due) + (SELECT count(*) FROM pair_reweigh_every) AS n`,
    );
    if (Number(rows[0].n) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

describe('the service and milap link', () => {
  it('give the same pairs and probabilities on the same world', async () => {
    const world = generateWorld({ missing: 60, found: 25, seed: 11 });
    for (const report of world.missing) expect((await t.inject({ method: 'POST', url: '/api/v1/missing-reports', payload: report })).statusCode).toBe(201);
    for (const child of world.found) expect((await t.inject({ method: 'POST', url: '/api/v1/found-children', payload: child })).statusCode).toBe(201);
    await startWorkers(t.db.boss, t.db.database, pino({ level: 'silent' }), new WorkerMetrics(), { concurrency: 2, floor: 0.001, topK: 10 });
    await drained();
    // Term frequencies settle only when every record is in: one re-match of everything, as after a load.
    const engine = createEngine();
    await queueRun(t.db.database.pool, t.db.boss, engine.modelVersion, await openRun(t.db.database.pool, engine.modelVersion, true), () => {});
    await drained();

    const { rows } = await t.db.database.pool.query(
      `SELECT m.ref AS "missingRef", f.ref AS "foundRef", c.probability FROM candidate_pair c
         JOIN missing_report m ON m.id = c.missing_id JOIN found_child f ON f.id = c.found_id`,
    );
    const service = new Map<string, { missingRef: string; probability: number }[]>();
    for (const row of rows) (service.get(row.foundRef) ?? service.set(row.foundRef, []).get(row.foundRef)!).push(row);
    const batch = new Map<string, { missingRef: string; probability: number }[]>();
    for (const pair of linkRecords(world.missing, world.found)) (batch.get(pair.foundRef) ?? batch.set(pair.foundRef, []).get(pair.foundRef)!).push(pair);
    expect(batch.size).toBeGreaterThan(10);
    // Counts read ahead, all at once, are the counts a job reads key by key.
    const keys = (await t.db.database.pool.query(`SELECT DISTINCT substring(key from 3) AS key FROM match_key WHERE substring(key from 1 for 2) IN ('n:', 'f:', 'm:')`)).rows.map((row) => row.key as string);
    const ahead = new NameKeyCounts();
    expect(await warmNameKeyCounts(t.db.database.pool, ahead, 1)).toBe(keys.length);
    const byKey = await nameKeyFrequencies(t.db.database.pool, keys, new NameKeyCounts());
    expect(await nameKeyFrequencies(t.db.database.pool, keys, ahead)).toEqual(byKey);
    // And so are the counts of a worker's keys in memory.
    const live = liveKeysOf(t.db.database.pool);
    await live.build(t.db.database.pool, createEngine());
    expect(await nameKeyFrequencies(t.db.database.pool, keys, new NameKeyCounts(), undefined, (key) => live.index.nameKeyCount(key))).toEqual(byKey);
    for (const child of world.found) {
      const expected = (batch.get(child.ref) ?? []).map((p) => [p.missingRef, Number(p.probability.toFixed(6))]);
      const actual = (service.get(child.ref) ?? []).sort((a, b) => b.probability - a.probability).slice(0, 10).map((p) => [p.missingRef, Number(p.probability.toFixed(6))]);
      expect(JSON.stringify(actual), child.ref).toBe(JSON.stringify(expected));
    }
  }, 300_000);
});
