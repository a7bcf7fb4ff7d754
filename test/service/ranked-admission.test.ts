// Ranked admission (matchers/blocking.ts, rankedBestOf): a found child's keys that are over their
// limit admit the child's best-ranked reports among those they reach, in milap link and in the
// service, from the child's job and from each report's (which reads the child's rank floor).
import { describe, expect, it } from 'vitest';
import { isoOfDay } from '../../matchers/age.ts';
import { rankDateWeight, rankedBest, rankedBestOf } from '../../matchers/blocking.ts';
import type { PreparedRecord } from '../../matchers/prepare.ts';
import { linkRecords } from '../../matchers/link.ts';
import type { FoundChild, MissingReport } from '../../matchers/record.ts';
import { createEngine } from '../../src/matching/engine.ts';
import { matchRecord, matchRecords } from '../../src/matching/match-job.ts';
import { rankDateSql } from '../../src/matching/store.ts';
import { useTestApp } from '../helpers/app.ts';

const t = useTestApp();
const syllables = ['ka', 'mi', 'ro', 'tu', 'ne', 'sa', 'vi', 'lo', 'pu', 'da', 'ji', 'ho'];
// Invented names, none alike: only the place keys can pair them.
const nameOf = (i: number) => `${syllables[i % 12]}${syllables[Math.floor(i / 12) % 12]}${syllables[Math.floor(i / 144) % 12]}${syllables[(i * 7 + 3) % 12]}ya`;

const girl = (i: number, home: string, seen: string, missingSince = '2024-01-15'): MissingReport => ({
  ref: `FIR-${i}/2024`, name: nameOf(i), sex: 'female', birthDate: `2014-0${(i % 9) + 1}-10`, missingSince,
  home: { district: home, state: 'Bihar' }, lastSeen: { district: seen, state: 'Bihar' }, policeStation: `${home} Town PS`,
}) as MissingReport;

describe('ranked admission', () => {
  it("admits a child's best-ranked reports among those its over-limit keys reach, twice as many for a child with no name, from either side's job, as milap link does", async () => {
    // Girls reported from Bihar, none with a name like another: a girl found in Muzaffarpur on 1 June
    // who says she is from Patna shares only place keys with them, each over its limit. The 60 from
    // Patna last seen in Muzaffarpur share all three; the 35 from Gaya last seen there share the state
    // and the rarer district; the 45 from Patna seen elsewhere, the state and the commoner one; the
    // 10 from Gaya seen elsewhere, the state alone. All are of her age. Her best 50 are the first
    // group's: of those, the 12 who went missing in May outrank the 48 missing since January, who tie
    // just past the best 50, so those 12 alone are admitted. A girl who gives no name at all has her
    // best 100 admitted: the first two groups (95), the third tied just past them.
    expect([rankedBest, rankedBestOf({ name: null })]).toEqual([50, 100]);
    const groups = [
      Array.from({ length: 60 }, (_, i) => girl(i, 'Patna', 'Muzaffarpur', i < 12 ? '2024-05-10' : '2024-01-15')),
      Array.from({ length: 35 }, (_, i) => girl(100 + i, 'Gaya', 'Muzaffarpur')),
      Array.from({ length: 45 }, (_, i) => girl(200 + i, 'Patna', 'Bhagalpur')),
      Array.from({ length: 10 }, (_, i) => girl(300 + i, 'Gaya', 'Bhagalpur')),
    ];
    const missing = groups.flat();
    const child = (ref: string, name: string | null): FoundChild => ({
      ref, name, sex: 'female', apparentAgeYears: 10, foundOn: '2024-06-01',
      foundAt: { district: 'Muzaffarpur', state: 'Bihar' }, statedHome: { district: 'Patna', state: 'Bihar' }, institution: 'Shelter, Muzaffarpur',
    });
    const named = child('CCI-MUZ-1', 'Ujjwala');
    const nameless = child('CCI-MUZ-2', null);
    const expected = new Map([
      [named.ref, groups[0]!.slice(0, 12).map((r) => r.ref).sort()],
      [nameless.ref, [...groups[0]!, ...groups[1]!].map((r) => r.ref).sort()],
    ]);
    const linked = (found: FoundChild) => [...linkRecords(missing, [found], { top: Infinity, minProbability: 0 })].map((pair) => pair.missingRef).sort();
    expect(linked(named)).toEqual(expected.get(named.ref));
    expect(linked(nameless)).toEqual(expected.get(nameless.ref));

    const engine = createEngine();
    const settings = { floor: 0, topK: 1000 };
    const reports = [];
    for (const record of missing) reports.push(await t.file('/api/v1/missing-reports', record));
    for (const id of reports) await matchRecord(t.db.database.pool, engine, settings, { side: 'missing', id, version: 1 });
    const children = [await t.file('/api/v1/found-children', named), await t.file('/api/v1/found-children', nameless)];
    const paired = async () => {
      const { rows } = await t.db.database.pool.query<{ child: string; report: string }>(
        'SELECT f.ref AS child, m.ref AS report FROM candidate_pair c JOIN missing_report m ON m.id = c.missing_id JOIN found_child f ON f.id = c.found_id ORDER BY m.ref',
      );
      return new Map([named.ref, nameless.ref].map((ref) => [ref, rows.filter((row) => row.child === ref).map((row) => row.report).sort()]));
    };
    // Each child's own job ranks the reports, and so do the two matched together in one pass, each to her own count.
    for (const id of children) await matchRecord(t.db.database.pool, engine, settings, { side: 'found', id, version: 1 });
    expect(await paired()).toEqual(expected);
    await t.db.database.pool.query('DELETE FROM candidate_pair');
    await t.db.database.pool.query('DELETE FROM match_rank_floor');
    await matchRecords(t.db.database.pool, engine, settings, children.map((id) => ({ side: 'found' as const, id, version: 1 })));
    expect(await paired()).toEqual(expected);
    // Each report's job admits it when it scores above the child's rank floor.
    await t.db.database.pool.query('DELETE FROM candidate_pair');
    for (const id of reports) await matchRecord(t.db.database.pool, engine, settings, { side: 'missing', id, version: 1 });
    expect(await paired()).toEqual(expected);
    // A child with no rank floor saved (matched before ranked admission) is not ranked from a report's search.
    await t.db.database.pool.query('DELETE FROM candidate_pair');
    await t.db.database.pool.query('DELETE FROM match_rank_floor');
    for (const id of reports) await matchRecord(t.db.database.pool, engine, settings, { side: 'missing', id, version: 1 });
    expect(await paired()).toEqual(new Map([[named.ref, []], [nameless.ref, []]]));
  });

  it('weighs what the dates say in SQL exactly as the matchers do, at each level and on its boundaries', async () => {
    let state = 11;
    const next = (n: number) => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state % n;
    };
    // Children's birth intervals and days found; reports' around them, their middles and days apart
    // drawn across every level and right at each boundary (a day either side).
    const edges = [0, 547, 548, 1278, 1279, 2008, 2009, 2500];
    const cases = Array.from({ length: 1500 }, (_, i) => {
      const childFrom = 14_000 + next(3000);
      const child = { birth: i % 17 ? { from: childFrom, to: childFrom + 200 + next(2000) } : null, eventDay: 19_000 + next(400) };
      const apart = edges[next(edges.length)]! + next(3) - 1 + (i % 5 ? 0 : next(1500));
      const width = next(800);
      const sum = child.birth ? child.birth.from + child.birth.to + (next(2) ? apart : -apart) : 2 * childFrom + 400;
      const from = Math.floor((sum - width) / 2);
      const days = [-31, -30, 31, 32, 366, 367][next(6)]! + (i % 3 ? 0 : next(800) - 400);
      const report = { birth: i % 13 ? { from, to: sum - from } : null, eventDay: child.eventDay - days };
      return { report, child };
    });
    const iso = (day: number | undefined) => (day === undefined ? null : isoOfDay(day));
    const { rows } = await t.db.database.pool.query<{ w: string }>(
      `SELECT ${rankDateSql('r', 'c', 'c.event_day')} AS w
         FROM unnest($1::date[], $2::date[], $3::date[], $4::date[], $5::date[], $6::date[]) WITH ORDINALITY AS u(rf, rt, rd, cf, ct, cd, i)
        CROSS JOIN LATERAL (SELECT u.rf AS born_from, u.rt AS born_to, u.rd AS event_day) AS r
        CROSS JOIN LATERAL (SELECT u.cf AS born_from, u.ct AS born_to, u.cd AS event_day) AS c
        ORDER BY u.i`,
      [
        cases.map((x) => iso(x.report.birth?.from)), cases.map((x) => iso(x.report.birth?.to)), cases.map((x) => iso(x.report.eventDay)),
        cases.map((x) => iso(x.child.birth?.from)), cases.map((x) => iso(x.child.birth?.to)), cases.map((x) => iso(x.child.eventDay)),
      ],
    );
    const inJs = cases.map((x) => rankDateWeight(x.report as unknown as PreparedRecord, x.child as unknown as PreparedRecord));
    expect(rows.map((row) => Number(row.w))).toEqual(inJs);
    expect(new Set(inJs).size).toBeGreaterThan(12); // every level was met
  });
});
