// The service and `milap link` agree: a small world posted through the API and matched in the
// background gives each found child the same candidates, with the same probabilities, as linking
// its files does.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { generateWorld } from '../../fixtures/synth/world.ts';
import { WorkerMetrics } from '../../src/jobs/metrics.ts';
import { startWorkers } from '../../src/jobs/workers.ts';
import { createEngine } from '../../src/matching/engine.ts';
import { liveKeysOf } from '../../src/matching/live-keys.ts';
import { openRun, queueRun } from '../../src/matching/rematch.ts';
import { NameKeyCounts, nameKeyFrequencies, warmNameKeyCounts } from '../../src/matching/store.ts';
import { useTestApp } from '../helpers/app.ts';
import { drained, expectPairsOfLink } from '../helpers/link-parity.ts';

const t = useTestApp();

describe('the service and milap link', () => {
  it('give the same pairs and probabilities on the same world', async () => {
    const world = generateWorld({ missing: 60, found: 25, seed: 11 });
    for (const report of world.missing) expect((await t.inject({ method: 'POST', url: '/api/v1/missing-reports', payload: report })).statusCode).toBe(201);
    for (const child of world.found) expect((await t.inject({ method: 'POST', url: '/api/v1/found-children', payload: child })).statusCode).toBe(201);
    await startWorkers(t.db.boss, t.db.database, pino({ level: 'silent' }), new WorkerMetrics(), { concurrency: 2, floor: 0.001, topK: 10 });
    await drained(t.db.database.pool);
    // Term frequencies settle only when every record is in: one re-match of everything, as after a load.
    const engine = createEngine();
    await queueRun(t.db.database.pool, t.db.boss, engine.modelVersion, await openRun(t.db.database.pool, engine.modelVersion, true), () => {});
    await drained(t.db.database.pool);

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
    await expectPairsOfLink(t.db.database.pool, world);
  }, 300_000);
});
