// A match worker prepares the records still looked for when it starts (src/matching/warm.ts), and a
// job then reads only the bodies of partners it has not prepared at their current version. A
// partner edited after the worker prepared it must be scored as it stands now, not as it was.
import { describe, expect, it } from 'vitest';
import { retrainedModel } from '../../fixtures/synth/retrained.ts';
import { defaultModel } from '../../matchers/model.ts';
import type { FoundChild, MissingReport } from '../../matchers/record.ts';
import { createEngine } from '../../src/matching/engine.ts';
import { matchRecord } from '../../src/matching/match-job.ts';
import { warmPreparedRecords } from '../../src/matching/warm.ts';
import { explanationOfStored, type StoredExplanation } from '../../src/matching/store.ts';
import { useTestApp } from '../helpers/app.ts';

const t = useTestApp();

const report = (ref: string, name: string): MissingReport => ({
  ref, name, sex: 'female', birthDate: '2015-06-01', missingSince: '2024-02-10', home: { district: 'Gaya', state: 'Bihar' }, fatherName: 'Suresh Paswan', policeStation: 'Gaya Town PS',
}) as MissingReport;

const child: FoundChild = {
  ref: 'CCI-DL-40', name: 'Sunita', sex: 'female', apparentAgeYears: 9, foundOn: '2024-03-01', statedHome: { state: 'Bihar' }, institution: 'Open Shelter, New Delhi',
} as FoundChild;

describe("a worker's prepared records", () => {
  it('are the records still looked for, at their current versions, as many as the cache holds without forgetting any and the heap allows', async () => {
    const pool = t.db.database.pool;
    const ids = [await t.file('/api/v1/missing-reports', report('FIR-1/2024', 'Sunita Kumari')), await t.file('/api/v1/missing-reports', report('FIR-2/2024', 'Anita Kumari'))];
    const withdrawn = await t.file('/api/v1/missing-reports', report('FIR-3/2024', 'Babita Kumari'));
    expect((await t.inject({ method: 'POST', url: `/api/v1/missing-reports/${withdrawn}/status`, payload: { status: 'withdrawn', reason: 'filed twice' } })).statusCode).toBe(200);
    const found = await t.file('/api/v1/found-children', child);

    const engine = createEngine(undefined, 100);
    expect(await warmPreparedRecords(pool, engine)).toEqual({ records: 3, stoppedBy: null, collectedInMs: expect.any(Number) });
    for (const id of ids) expect(engine.cached('missing', id, 1)?.prepared.name?.raw).toMatch(/Kumari$/);
    expect(engine.cached('found', found, 1)?.id).toBe(found);
    expect(engine.cached('missing', withdrawn, 1)).toBeUndefined();
    expect(engine.cached('missing', withdrawn, 2)).toBeUndefined();

    // Room for two: the first two in id order, and it says it stopped short.
    const small = createEngine(undefined, 4);
    expect(await warmPreparedRecords(pool, small)).toEqual({ records: 2, stoppedBy: 'cache', collectedInMs: expect.any(Number) });
    expect(small.cacheSize).toBe(2);
    // A heap past the share it may fill: nothing more is prepared.
    const crowded = createEngine(undefined, 100);
    expect(await warmPreparedRecords(pool, crowded, { heapShare: 0 })).toEqual({ records: 0, stoppedBy: 'heap', collectedInMs: expect.any(Number) });
    expect(crowded.cacheSize).toBe(0);
  });

  it('are not used for a partner edited since: the pair is scored on the record as it stands', async () => {
    const pool = t.db.database.pool;
    const settings = { floor: 0, topK: 100 };
    const reportId = await t.file('/api/v1/missing-reports', report('FIR-7/2024', 'Sunita Kumari'));
    const childId = await t.file('/api/v1/found-children', { ...child, ref: 'CCI-DL-41' });
    const engine = createEngine();
    await warmPreparedRecords(pool, engine);
    await matchRecord(pool, engine, settings, { side: 'missing', id: reportId, version: 1 });
    await matchRecord(pool, engine, settings, { side: 'found', id: childId, version: 1 });
    const before = await pool.query<{ foundVersion: number; explanation: StoredExplanation }>(
      'SELECT c.found_version AS "foundVersion", e.explanation FROM candidate_pair c JOIN candidate_explanation e ON e.pair_id = c.id WHERE c.missing_id = $1', [reportId]);
    expect(before.rows[0]).toMatchObject({ foundVersion: 1 });
    expect(explanationOfStored(before.rows[0]!.explanation)).toContainEqual(expect.objectContaining({ comparison: 'home', level: 'same_state' }));

    // The shelter learns her home district; her own job has not run yet when the report's does.
    const edited = await t.inject({ method: 'PATCH', url: `/api/v1/found-children/${childId}`, payload: { statedHome: { district: 'Gaya', state: 'Bihar' } } });
    expect(edited.statusCode).toBe(200);
    await matchRecord(pool, engine, settings, { side: 'missing', id: reportId, version: 1 });
    const after = await pool.query<{ foundVersion: number; explanation: StoredExplanation }>(
      'SELECT c.found_version AS "foundVersion", e.explanation FROM candidate_pair c JOIN candidate_explanation e ON e.pair_id = c.id WHERE c.missing_id = $1', [reportId]);
    expect(after.rows[0]).toMatchObject({ foundVersion: 2 });
    expect(explanationOfStored(after.rows[0]!.explanation)).toContainEqual(expect.objectContaining({ comparison: 'home', level: 'same_district' }));
  });

  it("keep no record's keys after its job: a re-match of every record leaves the cache no larger", async () => {
    const pool = t.db.database.pool;
    const reportId = await t.file('/api/v1/missing-reports', report('FIR-8/2024', 'Sunita Kumari'));
    const engine = createEngine();
    await warmPreparedRecords(pool, engine);
    const outcome = await matchRecord(pool, engine, { floor: 0, topK: 10 }, { side: 'missing', id: reportId, version: 1 });
    expect(outcome).toMatchObject({ outcome: 'matched' });
    // The job derived its keys (they are stored); the cached record gives them anew each time asked,
    // holding none, about 2.7 KB a report (bench/pipeline.ts measures what a re-match leaves).
    const stored = await pool.query<{ key: string }>("SELECT key FROM match_key WHERE side = 'missing' AND record_id = $1", [reportId]);
    const cached = engine.cached('missing', reportId, 1)!;
    expect([...new Set(cached.keys)].sort()).toEqual(stored.rows.map((row) => row.key).sort());
    expect(cached.keys).not.toBe(cached.keys);
  });

  it('serve an engine scoring by another model without preparing them again', () => {
    const engine = createEngine(undefined, 100);
    const missing = engine.prepare('missing', 'report-1', 1, report('FIR-9/2024', 'Sunita Kumari'));
    const found = engine.prepare('found', 'child-1', 1, child);
    // A model trained since: every level's u halved, each level one bit more in favour of a match.
    const trained = retrainedModel(defaultModel, 0.5);
    const retrained = engine.withModel(trained);
    expect(retrained.modelVersion).toBe(trained.version);
    expect(engine.modelVersion).toBe(defaultModel.version);
    // The same prepared records, not prepared again.
    expect(retrained.cached('missing', 'report-1', 1)).toBe(missing);
    expect(retrained.cached('found', 'child-1', 1)).toBe(found);
    expect(retrained.cacheSize).toBe(2);
    // Scored by its own model, the first engine's scores unchanged.
    const before = engine.score(missing, found);
    const after = retrained.score(missing, found);
    expect(after.matchWeight).toBeGreaterThan(before.matchWeight + 1);
    expect(after.explanation.map((entry) => entry.level)).toEqual(before.explanation.map((entry) => entry.level));
    expect(after.explanation.map((entry) => entry.weight)).not.toEqual(before.explanation.map((entry) => entry.weight));
    expect(engine.score(missing, found)).toEqual(before);
  });
});
