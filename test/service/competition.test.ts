// Candidates of one record compete (matchers/model.ts, competingProbability): when a report's match
// job pairs it with a child, the child's other pairs are weighed again at once, with no job of
// their own, and stand as milap link would have them.
import { describe, expect, it } from 'vitest';
import { linkRecords } from '../../matchers/link.ts';
import { competingProbability, pairOdds } from '../../matchers/model.ts';
import type { FoundChild, MissingReport } from '../../matchers/record.ts';
import { createEngine } from '../../src/matching/engine.ts';
import { matchRecord } from '../../src/matching/match-job.ts';
import { useTestApp } from '../helpers/app.ts';

const t = useTestApp();

const lakshmi: MissingReport = {
  ref: 'FIR-123/2023', name: 'Lakshmi Kumari d/o Ramesh Mahto', sex: 'female', ageYears: 9, missingSince: '2023-03-10',
  lastSeen: { district: 'Dhanbad', state: 'Jharkhand' }, home: { district: 'Dhanbad', state: 'Jharkhand' }, policeStation: 'Dhanbad PS',
} as MissingReport;
// Another Lakshmi from Dhanbad, whose report names no father.
const lookAlike: MissingReport = { ...lakshmi, ref: 'FIR-77/2024', name: 'Lakshmi Devi', missingSince: '2024-01-01' };
const foundInDelhi: FoundChild = {
  ref: 'CCI-DL-88', name: 'लछमी', sex: 'female', apparentAgeYears: 11, foundOn: '2025-01-20', institution: 'Shelter, Delhi',
  foundAt: { place: 'New Delhi railway station', district: 'New Delhi', state: 'Delhi' }, statedHome: { district: 'Dhanbad' }, fatherName: 'रमेश',
} as FoundChild;

describe('competing candidates in the service', () => {
  it("a new report's job weighs the child's other pairs again, as milap link weighs them", async () => {
    const engine = createEngine();
    const settings = { floor: 0.001, topK: 10 };
    const pairOf = async (ref: string) => (await t.db.database.pool.query(
      `SELECT c.probability, c.pair_probability AS "pairProbability", c.match_weight AS "matchWeight" FROM candidate_pair c JOIN missing_report m ON m.id = c.missing_id WHERE m.ref = $1`, [ref],
    )).rows[0] as { probability: number; pairProbability: number; matchWeight: number };

    const lookAlikeId = await t.file('/api/v1/missing-reports', lookAlike);
    await matchRecord(t.db.database.pool, engine, settings, { side: 'missing', id: lookAlikeId, version: 1 });
    const childId = await t.file('/api/v1/found-children', foundInDelhi);
    await matchRecord(t.db.database.pool, engine, settings, { side: 'found', id: childId, version: 1 });
    const alone = await pairOf(lookAlike.ref);
    expect(alone.matchWeight).toBeCloseTo([...linkRecords([lookAlike], [foundInDelhi])][0]!.matchWeight, 3);
    expect(alone.probability).toBeCloseTo(alone.pairProbability, 3); // from the weight rounded to 3 decimals

    // Lakshmi's report arrives; only its own job runs.
    const lakshmiId = await t.file('/api/v1/missing-reports', lakshmi);
    await matchRecord(t.db.database.pool, engine, settings, { side: 'missing', id: lakshmiId, version: 1 });
    const [beside, lakshmiPair] = [await pairOf(lookAlike.ref), await pairOf(lakshmi.ref)];
    const linked = new Map([...linkRecords([lookAlike, lakshmi], [foundInDelhi])].map((pair) => [pair.missingRef, pair]));
    expect(beside.probability).toBeLessThan(alone.probability / 2);
    // Lakshmi's pair is scored as milap link scores it, among the two reports now looked for.
    expect(lakshmiPair.matchWeight).toBeCloseTo(linked.get(lakshmi.ref)!.matchWeight, 3);
    // The look-alike's pair keeps the weight it was scored with, among one report (a re-match weighs
    // it among two, as link does: the prior divides by the reports, matchers/model.ts); the two pairs
    // are weighed against each other as link weighs its pairs.
    expect(beside.matchWeight).toBeCloseTo(alone.matchWeight, 6);
    expect(beside.probability).toBeCloseTo(competingProbability(beside.matchWeight, 0, pairOdds(lakshmiPair.matchWeight)), 3);
    expect(lakshmiPair.probability).toBeCloseTo(competingProbability(lakshmiPair.matchWeight, 0, pairOdds(beside.matchWeight)), 3);
    await matchRecord(t.db.database.pool, engine, settings, { side: 'found', id: childId, version: 1 });
    for (const ref of [lookAlike.ref, lakshmi.ref]) expect((await pairOf(ref)).probability).toBeCloseTo(linked.get(ref)!.probability, 3);
  });
});
