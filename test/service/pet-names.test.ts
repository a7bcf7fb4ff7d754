// A boy the shelter knows only as "Pappu", who names only his home state, Bihar. Of the reports of
// Bihari boys his age, more than the state key's limit went missing the same day, so the state key
// ranks them all alike and admits none of them. One report gives "Pappu" as the boy's other name:
// the pet name with the state, a key of its own, admits that one, in the service as in `milap link`.
import { describe, expect, it } from 'vitest';
import { keyLimits } from '../../matchers/blocking.ts';
import { linkRecords } from '../../matchers/link.ts';
import { phoneticKey } from '../../matchers/names/phonetic.ts';
import type { FoundChild, MissingReport } from '../../matchers/record.ts';
import { createEngine } from '../../src/matching/engine.ts';
import { matchRecord } from '../../src/matching/match-job.ts';
import { explanationOfStored, type StoredExplanation } from '../../src/matching/store.ts';
import { useTestApp } from '../helpers/app.ts';

const t = useTestApp();
const syllables = ['ka', 'mi', 'ro', 'tu', 'ne', 'sa', 'vi', 'lo', 'pu', 'da', 'ji', 'ho'];
// Invented names, none alike: nothing but the state pairs them with the boy.
const nameOf = (i: number) => `${syllables[i % 12]}${syllables[Math.floor(i / 12) % 12]}${syllables[(i * 7 + 3) % 12]}an`;

const report = (i: number, name = nameOf(i)): MissingReport => ({
  ref: `FIR-${i}/2024`, name, sex: 'male', birthDate: '2016-01-10', missingSince: '2024-03-02', home: { state: 'Bihar' }, policeStation: 'Gaya Town PS',
}) as MissingReport;

const pappu: FoundChild = {
  ref: 'CCI-DL-12', name: 'Pappu', sex: 'male', apparentAgeYears: 8, foundOn: '2024-03-20', statedHome: { state: 'Bihar' }, institution: 'Open Shelter, New Delhi',
} as FoundChild;

describe('a child known only by a pet name', () => {
  it('is paired with the report that gives it, and with none of the others, as milap link pairs them', async () => {
    const rahul = report(999, 'Rahul Yadav urf Pappu');
    const missing = [...Array.from({ length: keyLimits.s! + 10 }, (_, i) => report(i)), rahul];
    const engine = createEngine();
    const settings = { floor: 0, topK: 1000 };
    for (const record of missing) await matchRecord(t.db.database.pool, engine, settings, { side: 'missing', id: await t.file('/api/v1/missing-reports', record), version: 1 });
    await matchRecord(t.db.database.pool, engine, settings, { side: 'found', id: await t.file('/api/v1/found-children', pappu), version: 1 });

    const { rows } = await t.db.database.pool.query<{ ref: string; explanation: StoredExplanation }>(
      'SELECT m.ref, e.explanation FROM candidate_pair c JOIN candidate_explanation e ON e.pair_id = c.id JOIN missing_report m ON m.id = c.missing_id',
    );
    expect(rows.map((row) => row.ref)).toEqual([rahul.ref]);
    expect(explanationOfStored(rows[0]!.explanation)).toContainEqual(expect.objectContaining({ comparison: 'pet_name', level: 'shared' }));
    const { rows: keys } = await t.db.database.pool.query<{ side: string }>('SELECT side FROM match_key WHERE key = $1 ORDER BY side', [`ps:${phoneticKey('pappu')}:BR`]);
    expect(keys.map((key) => key.side)).toEqual(['found', 'missing']);
    expect([...linkRecords(missing, [pappu], { top: Infinity, minProbability: 0 })].map((pair) => pair.missingRef)).toEqual([rahul.ref]);
  });
});
