// A re-match never undoes an officer's decision: a rejected pair comes back only when a record
// changed so that one of its comparisons moved to a higher level, and then says which. The level
// compared is the one the officer saw when deciding (candidate_explanation.decided_explanation).
import { describe, expect, it } from 'vitest';
import type { FoundChild, MissingReport } from '../../matchers/record.ts';
import { createEngine } from '../../src/matching/engine.ts';
import { matchRecord } from '../../src/matching/match-job.ts';
import { useTestApp } from '../helpers/app.ts';

const t = useTestApp();

const report = {
  ref: 'FIR-52/2024', name: 'Sunita Kumari', sex: 'female', birthDate: '2015-06-01', missingSince: '2024-02-10', home: { district: 'Gaya', state: 'Bihar' }, fatherName: 'Suresh Paswan', policeStation: 'Gaya Town PS',
} as MissingReport;

const child = {
  ref: 'CCI-DL-52', name: 'Sunita', sex: 'female', apparentAgeYears: 9, foundOn: '2024-03-01', statedHome: { state: 'Bihar' }, institution: 'Open Shelter, New Delhi',
} as FoundChild;

describe('a rejected pair', () => {
  it('stays rejected through re-matches and edits that move no comparison up, and comes back, saying why, when one does', async () => {
    const pool = t.db.database.pool;
    const engine = createEngine();
    const settings = { floor: 0.001, topK: 10 };
    const reportId = await t.file('/api/v1/missing-reports', report);
    const childId = await t.file('/api/v1/found-children', child);
    const matchChild = async () => {
      const { rows } = await pool.query<{ version: number }>('SELECT version FROM found_child WHERE id = $1', [childId]);
      return matchRecord(pool, engine, settings, { side: 'found', id: childId, version: rows[0]!.version });
    };
    await matchRecord(pool, engine, settings, { side: 'missing', id: reportId, version: 1 });
    await matchChild();
    const { rows } = await pool.query<{ id: string }>('SELECT id FROM candidate_pair WHERE missing_id = $1 AND found_id = $2', [reportId, childId]);
    expect(rows).toHaveLength(1);
    const pairId = rows[0]!.id;
    const pair = async () => (await t.inject({ method: 'GET', url: `/api/v1/candidates/${pairId}` })).json();
    const level = (explanation: { comparison: string; level: string }[], comparison: string) => explanation.find((entry) => entry.comparison === comparison)?.level;
    expect(level((await pair()).explanation, 'home')).toBe('same_state');

    const rejected = await t.inject({ method: 'POST', url: `/api/v1/candidates/${pairId}/decision`, payload: { decision: 'reject', reason: 'her father is named otherwise' } });
    expect(rejected.statusCode, rejected.body).toBe(200);
    // The decision's record keeps the explanation the officer saw, entry by entry.
    const decisions = await pool.query<{ explanation: { comparison: string; level: string; weight: number }[] }>('SELECT explanation FROM candidate_decision WHERE candidate_id = $1', [pairId]);
    expect(level(decisions.rows[0]!.explanation, 'home')).toBe('same_state');
    expect(decisions.rows[0]!.explanation).toEqual((await pair()).explanation);

    await matchChild();
    expect(await pair()).toMatchObject({ state: 'rejected', reopenedBecause: null });
    // Her shelter moved her: nothing compared moves.
    expect((await t.inject({ method: 'PATCH', url: `/api/v1/found-children/${childId}`, payload: { institution: 'Children Home for Girls, Delhi' } })).statusCode).toBe(200);
    await matchChild();
    expect(await pair()).toMatchObject({ state: 'rejected', reopenedBecause: null });

    // She remembers her home district, the report's: home moves from the state to the district.
    expect((await t.inject({ method: 'PATCH', url: `/api/v1/found-children/${childId}`, payload: { statedHome: { district: 'Gaya', state: 'Bihar' } } })).statusCode).toBe(200);
    await matchChild();
    const reopened = await pair();
    expect(reopened).toMatchObject({ state: 'pending', reopenedBecause: expect.stringContaining('home moved from same_state to same_district') });
    expect(level(reopened.explanation, 'home')).toBe('same_district');
  });
});
