// Ranked admission (matchers/blocking.ts, rankedBest): a found child's keys that are over their
// limit admit the child's best-ranked reports among those they reach, in milap link and in the
// service, from the child's job and from each report's (which reads the child's rank floor).
import { describe, expect, it } from 'vitest';
import { rankedBest } from '../../matchers/blocking.ts';
import { linkRecords } from '../../matchers/link.ts';
import type { FoundChild, MissingReport } from '../../matchers/record.ts';
import { createEngine } from '../../src/matching/engine.ts';
import { matchRecord } from '../../src/matching/match-job.ts';
import { useTestApp } from '../helpers/app.ts';

const t = useTestApp();
const syllables = ['ka', 'mi', 'ro', 'tu', 'ne', 'sa', 'vi', 'lo', 'pu', 'da', 'ji', 'ho'];
// Invented names, none alike: only the place keys can pair them.
const nameOf = (i: number) => `${syllables[i % 12]}${syllables[Math.floor(i / 12) % 12]}${syllables[Math.floor(i / 144) % 12]}${syllables[(i * 7 + 3) % 12]}ya`;

const girl = (i: number, home: string, seen: string): MissingReport => ({
  ref: `FIR-${i}/2024`, name: nameOf(i), sex: 'female', birthDate: `2014-0${(i % 9) + 1}-10`, missingSince: '2024-01-15',
  home: { district: home, state: 'Bihar' }, lastSeen: { district: seen, state: 'Bihar' }, policeStation: `${home} Town PS`,
}) as MissingReport;

describe('ranked admission', () => {
  it("admits a child's best-ranked reports among those its over-limit keys reach, from either side's job, as milap link does", async () => {
    // Girls reported from Bihar, none with a name like another: a girl found in Muzaffarpur who says
    // she is from Patna shares only place keys with them, each over its limit. The 50 from Patna
    // last seen in Muzaffarpur share all three; the 35 from Gaya last seen there share the state
    // and the rarer district; the 45 from Patna seen elsewhere, the state and the commoner one;
    // the 10 from Gaya seen elsewhere, the state alone. The best 100 hold the first two groups and
    // part of the third: its reports tie, so none of them is admitted.
    expect(rankedBest).toBe(100);
    const groups = [
      Array.from({ length: 50 }, (_, i) => girl(i, 'Patna', 'Muzaffarpur')),
      Array.from({ length: 35 }, (_, i) => girl(100 + i, 'Gaya', 'Muzaffarpur')),
      Array.from({ length: 45 }, (_, i) => girl(200 + i, 'Patna', 'Bhagalpur')),
      Array.from({ length: 10 }, (_, i) => girl(300 + i, 'Gaya', 'Bhagalpur')),
    ];
    const missing = groups.flat();
    const found: FoundChild = {
      ref: 'CCI-MUZ', name: null, sex: 'female', apparentAgeYears: 10, foundOn: '2024-06-01',
      foundAt: { district: 'Muzaffarpur', state: 'Bihar' }, statedHome: { district: 'Patna', state: 'Bihar' }, institution: 'Shelter, Muzaffarpur',
    };
    const expected = [...groups[0]!, ...groups[1]!].map((r) => r.ref).sort();
    const linked = [...linkRecords(missing, [found], { top: Infinity, minProbability: 0 })].map((pair) => pair.missingRef).sort();
    expect(linked).toEqual(expected);

    const engine = createEngine();
    const settings = { floor: 0, topK: 1000 };
    const reports = [];
    for (const record of missing) reports.push(await t.file('/api/v1/missing-reports', record));
    for (const id of reports) await matchRecord(t.db.database.pool, engine, settings, { side: 'missing', id, version: 1 });
    const childId = await t.file('/api/v1/found-children', found);
    const paired = async () =>
      (await t.db.database.pool.query<{ ref: string }>('SELECT m.ref FROM candidate_pair c JOIN missing_report m ON m.id = c.missing_id ORDER BY m.ref')).rows.map((row) => row.ref).sort();
    // The child's own job ranks the reports.
    await matchRecord(t.db.database.pool, engine, settings, { side: 'found', id: childId, version: 1 });
    expect(await paired()).toEqual(expected);
    // Each report's job admits it when it scores above the child's rank floor.
    await t.db.database.pool.query('DELETE FROM candidate_pair');
    for (const id of reports) await matchRecord(t.db.database.pool, engine, settings, { side: 'missing', id, version: 1 });
    expect(await paired()).toEqual(expected);
    // A child with no rank floor saved (matched before ranked admission) is not ranked from a report's search.
    await t.db.database.pool.query('DELETE FROM candidate_pair');
    await t.db.database.pool.query('DELETE FROM match_rank_floor');
    for (const id of reports) await matchRecord(t.db.database.pool, engine, settings, { side: 'missing', id, version: 1 });
    expect(await paired()).toEqual([]);
  });
});
