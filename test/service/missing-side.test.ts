// A missing report's own match job finds exactly the found children `milap link` pairs it with,
// also when the key they share is carried by more reports than its limit, so that whether it
// admits the pair depends on each child's age window: girls reported in Patna, more than the limit
// for "s:BR:female" of them small and 10 in their teens. A teenage girl found who names only Bihar
// is within the window of 10 reports (admitted); a small girl, of more than the limit (not).
import { describe, expect, it } from 'vitest';
import { keyLimits } from '../../matchers/blocking.ts';
import { linkRecords } from '../../matchers/link.ts';
import type { FoundChild, MissingReport } from '../../matchers/record.ts';
import { createEngine } from '../../src/matching/engine.ts';
import { matchRecord } from '../../src/matching/match-job.ts';
import { useTestApp } from '../helpers/app.ts';

const t = useTestApp();
const syllables = ['ka', 'mi', 'ro', 'tu', 'ne', 'sa', 'vi', 'lo', 'pu', 'da', 'ji', 'ho'];
// Invented names, none alike: only the place key can pair them.
const nameOf = (i: number) => `${syllables[i % 12]}${syllables[Math.floor(i / 12) % 12]}${syllables[Math.floor(i / 144) % 12]}${syllables[(i * 7 + 3) % 12]}ya`;

const report = (i: number, born: string): MissingReport => ({
  ref: `FIR-${i}/2024`, name: nameOf(i), sex: 'female', birthDate: born, missingSince: '2024-01-15',
  home: { district: 'Patna', state: 'Bihar' }, policeStation: 'Patna Town PS',
}) as MissingReport;

const child = (ref: string, age: number): FoundChild => ({
  ref, name: null, sex: 'female', apparentAgeYears: age, foundOn: '2024-06-01', statedHome: { state: 'Bihar' }, institution: 'Shelter, Delhi',
}) as FoundChild;

describe("a missing report's match job", () => {
  it('pairs it with the children milap link pairs it with, when their shared key is over its limit', async () => {
    const small = keyLimits.s! + 2;
    const missing = [
      ...Array.from({ length: small }, (_, i) => report(i, `2020-0${(i % 9) + 1}-10`)),
      ...Array.from({ length: 10 }, (_, i) => report(1000 + i, `2008-0${(i % 9) + 1}-10`)),
    ];
    const found = [child('CCI-TEEN', 16), child('CCI-SMALL', 4)];
    const engine = createEngine();
    const settings = { floor: 0, topK: 1000 };
    // Every record in, with its keys, before the reports' jobs run (key sizes as `milap link` counts
    // them); then the children's own pairs are cleared, so every pair left comes from a report's job.
    const reports = [];
    for (const record of missing) reports.push(await t.file('/api/v1/missing-reports', record));
    for (const id of reports) await matchRecord(t.db.database.pool, engine, settings, { side: 'missing', id, version: 1 });
    for (const record of found) await matchRecord(t.db.database.pool, engine, settings, { side: 'found', id: await t.file('/api/v1/found-children', record), version: 1 });
    await t.db.database.pool.query('DELETE FROM candidate_pair');
    for (const id of reports) await matchRecord(t.db.database.pool, engine, settings, { side: 'missing', id, version: 1 });

    const { rows } = await t.db.database.pool.query<{ pair: string }>(
      `SELECT m.ref || ' ~ ' || f.ref AS pair FROM candidate_pair c JOIN missing_report m ON m.id = c.missing_id JOIN found_child f ON f.id = c.found_id`,
    );
    const linked = [...linkRecords(missing, found, { top: Infinity, minProbability: 0 })].map((pair) => `${pair.missingRef} ~ ${pair.foundRef}`);
    expect(linked).toHaveLength(10);
    expect(linked.every((pair) => pair.endsWith('~ CCI-TEEN'))).toBe(true);
    expect(rows.map((row) => row.pair).sort()).toEqual(linked.sort());
    // Term frequencies divide by the records held, which a trigger counts: it agrees with a count.
    const { rows: held } = await t.db.database.pool.query(
      'SELECT (SELECT sum(n)::int FROM match_subject_total) AS kept, (SELECT count(*)::int FROM match_subject) AS counted',
    );
    expect(held[0].kept).toBe(held[0].counted);
    expect(held[0].kept).toBe(missing.length + found.length);
  });
});
