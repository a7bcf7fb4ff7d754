// A match that scores a pair exactly as it is stored leaves its row alone (migrations/023): a full
// re-match meets each pair from its report and again from its child, the second time by the same
// model. Whatever a match would change (the model, a record's version, a score, the explanation, a
// reopen) is still written.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { retrainedModel } from '../../fixtures/synth/retrained.ts';
import { defaultModel } from '../../matchers/model.ts';
import type { FoundChild, MissingReport } from '../../matchers/record.ts';
import { createEngine, type MatchEngine } from '../../src/matching/engine.ts';
import { matchRecord } from '../../src/matching/match-job.ts';
import { useTestApp } from '../helpers/app.ts';
import { fullMissingReport } from '../helpers/people.ts';

const t = useTestApp();

const report: MissingReport = {
  ref: 'FIR-31/2024', name: 'Sunita Kumari', sex: 'female', birthDate: '2015-06-01', missingSince: '2024-02-10', home: { district: 'Gaya', state: 'Bihar' }, fatherName: 'Suresh Paswan', policeStation: 'Gaya Town PS',
} as MissingReport;

const child: FoundChild = {
  ref: 'CCI-DL-31', name: 'Sunita', sex: 'female', apparentAgeYears: 9, foundOn: '2024-03-01', statedHome: { state: 'Bihar' }, institution: 'Open Shelter, New Delhi',
} as FoundChild;

interface PairRow {
  rowVersion: string;
  updatedAt: string;
  modelVersion: string;
  foundVersion: number;
  matchWeight: number;
  digest: string | null;
  /** The explanation's text as stored (migrations/027). */
  explanation: string;
}

describe('a pair a match scores as it is stored', () => {
  it('is not written again; a new model, a new version of a record or a digest that differs is', async () => {
    const pool = t.db.database.pool;
    const settings = { floor: 0.001, topK: 10 };
    const reportId = await t.file('/api/v1/missing-reports', report);
    const childId = await t.file('/api/v1/found-children', child);
    const pair = async () => {
      const { rows } = await pool.query<PairRow>(
        // xmin: the transaction that wrote the row's current version, new with each write of it.
        `SELECT c.xmin::text AS "rowVersion", c.updated_at::text AS "updatedAt", c.model_version AS "modelVersion", c.found_version AS "foundVersion",
                c.match_weight AS "matchWeight", c.explanation_digest::text AS digest, e.explanation::text AS explanation
           FROM candidate_pair c JOIN candidate_explanation e ON e.pair_id = c.id WHERE c.missing_id = $1 AND c.found_id = $2`,
        [reportId, childId],
      );
      expect(rows).toHaveLength(1);
      return rows[0]!;
    };
    const match = (engine: MatchEngine, side: 'missing' | 'found', version = 1) => matchRecord(pool, engine, settings, { side, id: side === 'missing' ? reportId : childId, version });
    /** The digest of an explanation as stored: MD5 of its text. */
    const md5 = (explanation: string) => createHash('md5').update(explanation).digest('hex');

    const engine = createEngine();
    await match(engine, 'missing'); // her keys stored: the child's search finds her
    await match(engine, 'found');
    const stored = await pair();
    expect(stored.modelVersion).toBe(defaultModel.version);
    expect(stored.digest?.replaceAll('-', '')).toBe(md5(stored.explanation));
    // Stored as entries of [comparison, level, weight] (migrations/027).
    expect(JSON.parse(stored.explanation)[0]).toEqual(['prior', 'base rate', expect.any(Number)]);

    // Met again from the report, by the same model: kept, and its row not written.
    expect(await match(engine, 'missing')).toMatchObject({ outcome: 'matched', kept: 1 });
    expect(await pair()).toEqual(stored);

    // A model trained since: every pair it scores is written anew, then left alone from the other side.
    const retrained = engine.withModel(retrainedModel(defaultModel, 0.9));
    await match(retrained, 'found');
    const rescored = await pair();
    expect(rescored.rowVersion).not.toBe(stored.rowVersion);
    expect(rescored.modelVersion).toBe(retrained.modelVersion);
    expect(rescored.matchWeight).toBeGreaterThan(stored.matchWeight);
    expect(rescored.digest?.replaceAll('-', '')).toBe(md5(rescored.explanation));
    await match(retrained, 'missing');
    expect(await pair()).toEqual(rescored);

    // Another model version scoring alike (the same parameters under a new name) still says so on the pair.
    const renamed = engine.withModel({ ...retrainedModel(defaultModel, 0.9), version: 'renamed-model' });
    await match(renamed, 'missing');
    const renamedRow = await pair();
    expect(renamedRow).toMatchObject({ modelVersion: 'renamed-model', matchWeight: rescored.matchWeight, explanation: rescored.explanation });
    expect(renamedRow.rowVersion).not.toBe(rescored.rowVersion);

    // A new version of the child that scores the same (her shelter moved her): the pair names it.
    const edited = await t.inject({ method: 'PATCH', url: `/api/v1/found-children/${childId}`, payload: { institution: 'Children Home for Girls, Delhi' } });
    expect(edited.statusCode).toBe(200);
    await match(renamed, 'found', 2);
    const newVersion = await pair();
    expect(newVersion).toMatchObject({ foundVersion: 2, matchWeight: rescored.matchWeight });
    expect(newVersion.rowVersion).not.toBe(renamedRow.rowVersion);

    // A stored digest unlike the explanation a match gives (a pair written before digests were kept
    // has none): written again, with the digest of its explanation.
    await pool.query('UPDATE candidate_pair SET explanation_digest = NULL WHERE missing_id = $1', [reportId]);
    const undigested = await pair();
    await match(renamed, 'missing');
    const digested = await pair();
    expect(digested.rowVersion).not.toBe(undigested.rowVersion);
    expect(digested.digest?.replaceAll('-', '')).toBe(md5(digested.explanation));
  });
});

describe('a possible duplicate a match scores as it is stored', () => {
  it('is not written again; by a new model version it is', async () => {
    const pool = t.db.database.pool;
    const settings = { floor: 0.001, topK: 10 };
    // One girl reported twice, at two police stations.
    const a = await t.file('/api/v1/missing-reports', fullMissingReport({ policeStation: 'Dhanbad Sadar PS' }));
    const b = await t.file('/api/v1/missing-reports', fullMissingReport({ policeStation: 'Jharia PS', missingSince: '2023-03-12' }));
    const duplicate = async () => {
      const { rows } = await pool.query<{ rowVersion: string; modelVersion: string; matchWeight: number }>(
        `SELECT xmin::text AS "rowVersion", model_version AS "modelVersion", match_weight AS "matchWeight" FROM duplicate_pair
          WHERE side = 'missing' AND record_a = least($1::uuid, $2::uuid) AND record_b = greatest($1::uuid, $2::uuid)`,
        [a, b],
      );
      expect(rows).toHaveLength(1);
      return rows[0]!;
    };
    const engine = createEngine();
    const match = (by: MatchEngine, id: string) => matchRecord(pool, by, settings, { side: 'missing', id, version: 1 });
    await match(engine, a);
    await match(engine, b);
    const stored = await duplicate();
    await match(engine, a);
    expect(await duplicate()).toEqual(stored);
    await match(engine.withModel({ ...defaultModel, version: 'renamed-model' }), a);
    const renamed = await duplicate();
    expect(renamed).toMatchObject({ modelVersion: 'renamed-model', matchWeight: stored.matchWeight });
    expect(renamed.rowVersion).not.toBe(stored.rowVersion);
  });
});
