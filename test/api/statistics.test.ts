// Children long in care with no candidate: the ones the scheme must look at again.
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/app.ts';
import { fullFoundChild, fullMissingReport } from '../helpers/people.ts';

const t = useTestApp();

describe('statistics', () => {
  it('counts children in care over 90 days with no candidate', async () => {
    const pool = t.db.database.pool;
    const gaya = { foundAt: { district: 'Gaya', state: 'Bihar' }, statedHome: null };
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await t.inject({ method: 'POST', url: '/api/v1/found-children', payload: fullFoundChild(gaya) })).json().id);
    // Two registered 120 days ago; one of them has a pending candidate. The third is recent.
    await pool.query(`UPDATE found_child SET created_at = clock_timestamp() - interval '120 days' WHERE id = ANY($1::uuid[])`, [ids.slice(0, 2)]);
    const report = (await t.inject({ method: 'POST', url: '/api/v1/missing-reports', payload: fullMissingReport() })).json().id;
    await pool.query(
      `WITH pair AS (INSERT INTO candidate_pair (missing_id, found_id, probability, pair_probability, match_weight, model_version, missing_version, found_version)
       VALUES ($1, $2, 0.3, 0.3, 0, 'test', 1, 1) RETURNING id)
       INSERT INTO candidate_explanation (pair_id, explanation) SELECT id, '[]' FROM pair`,
      [report, ids[1]],
    );
    const today = new Date().toISOString().slice(0, 10);
    const answer = await t.inject({ method: 'GET', url: `/api/v1/statistics?since=${today}&until=${today}&groupBy=district`, headers: t.auth.admin });
    const byPlace = Object.fromEntries(answer.json().items.map((row: { place: string }) => [row.place, row]));
    expect(byPlace['BR-gaya'].inCareOver90DaysWithoutCandidate).toBe(1);
  });

});
