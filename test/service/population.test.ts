// A missing-found pair's prior divides by how many reports are still looked for (matchers/model.ts,
// priorWeight): the match job reads that number from a trigger-kept counter, which must follow
// reports filed, matched, closed and reopened, and the pair it stores carries that prior.
import { describe, expect, it } from 'vitest';
import { defaultModel } from '../../matchers/model.ts';
import type { FoundChild, MissingReport } from '../../matchers/record.ts';
import { createEngine } from '../../src/matching/engine.ts';
import { matchRecord } from '../../src/matching/match-job.ts';
import { explanationOfStored } from '../../src/matching/store.ts';
import { useTestApp } from '../helpers/app.ts';

const t = useTestApp();

const report = (ref: string, name: string): MissingReport => ({
  ref, name, sex: 'female', birthDate: '2014-05-02', missingSince: '2023-03-10', fatherName: 'Ramesh Mahto',
  home: { district: 'Dhanbad', state: 'Jharkhand' }, policeStation: 'Dhanbad PS',
}) as MissingReport;

const child: FoundChild = {
  ref: 'CCI-DEL-7', name: 'Lakshmi', sex: 'female', apparentAgeYears: 11, foundOn: '2025-01-20', fatherName: 'Ramesh',
  statedHome: { district: 'Dhanbad', state: 'Jharkhand' }, institution: 'Children Home, Delhi',
} as FoundChild;

const share = defaultModel.foundWithReport!;
const priorAmong = (reports: number) => Math.log2(share / ((1 - share) * reports));

describe('the prior of a stored pair', () => {
  it('divides by the reports still looked for, as a trigger counts them', async () => {
    const engine = createEngine();
    const settings = { floor: 0, topK: 10 };
    const counted = async () => {
      const { rows } = await t.db.database.pool.query(
        `SELECT (SELECT sum(n)::int FROM match_active_report_total) AS kept,
                (SELECT count(*)::int FROM match_subject WHERE side = 'missing' AND active) AS counted`,
      );
      expect(rows[0].kept).toBe(rows[0].counted);
      return rows[0].kept as number;
    };
    const storedPrior = async (foundId: string) => {
      const { rows } = await t.db.database.pool.query(`SELECT e.explanation FROM candidate_pair c JOIN candidate_explanation e ON e.pair_id = c.id WHERE c.found_id = $1`, [foundId]);
      expect(rows.length).toBeGreaterThan(0);
      return rows.map((row) => explanationOfStored(row.explanation).find((entry) => entry.comparison === 'prior')!.weight);
    };

    const names = ['Lakshmi Kumari', 'Lachhmi Kumari', 'Laxmi Devi', 'Lakshmi'];
    const reports: string[] = [];
    for (const [i, name] of names.entries()) reports.push(await t.file('/api/v1/missing-reports', report(`FIR-${i}/2023`, name)));
    for (const id of reports) await matchRecord(t.db.database.pool, engine, settings, { side: 'missing', id, version: 1 });
    expect(await counted()).toBe(4);

    const foundId = await t.file('/api/v1/found-children', child);
    await matchRecord(t.db.database.pool, engine, settings, { side: 'found', id: foundId, version: 1 });
    for (const weight of await storedPrior(foundId)) expect(weight).toBeCloseTo(priorAmong(4), 2);

    // A closed report is no longer looked for: one fewer, and the child's pairs are weighed among three.
    const closed = await t.inject({ method: 'POST', url: `/api/v1/missing-reports/${reports[0]}/status`, payload: { status: 'closed', reason: 'child returned home on her own' } });
    expect(closed.statusCode).toBe(200);
    await matchRecord(t.db.database.pool, engine, settings, { side: 'missing', id: reports[0]!, version: 2 });
    expect(await counted()).toBe(3);
    await matchRecord(t.db.database.pool, engine, settings, { side: 'found', id: foundId, version: 1 });
    // Every pair the child has is weighed again, the closed report's superseded one too.
    for (const weight of await storedPrior(foundId)) expect(weight).toBeCloseTo(priorAmong(3), 2);

    // Reopened, it is looked for again; a re-match of an unchanged report moves nothing.
    const reopened = await t.inject({ method: 'POST', url: `/api/v1/missing-reports/${reports[0]}/status`, payload: { status: 'open', reason: 'ran away again' } });
    expect(reopened.statusCode).toBe(200);
    await matchRecord(t.db.database.pool, engine, settings, { side: 'missing', id: reports[0]!, version: 3 });
    await matchRecord(t.db.database.pool, engine, settings, { side: 'missing', id: reports[1]!, version: 1 });
    expect(await counted()).toBe(4);
  });
});
