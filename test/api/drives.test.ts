// Rescue drives: a shelter creates a drive, its children are registered in bulk into it (as
// `milap import --found FILE --drive ID` does), matched by the match job, and the drive's report
// counts them: registered, matched so far, with a likely pair.
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/matching/engine.ts';
import { matchRecord } from '../../src/matching/match-job.ts';
import { importRecord } from '../../src/records/service.ts';
import { foundSide } from '../../src/records/sides.ts';
import { useTestApp } from '../helpers/app.ts';
import { fullFoundChild, fullMissingReport } from '../helpers/people.ts';

const t = useTestApp();

describe('rescue drives', () => {
  const drive = { name: 'Operation Muskaan, July (synthetic)', startsOn: '2025-07-01', endsOn: '2025-07-31', state: 'Delhi', districts: ['New Delhi', 'Central Delhi'] };

  it('only shelters create one, and unknown districts are refused by name', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/drives', headers: t.auth.police, payload: drive })).statusCode).toBe(403);
    const bad = await t.app.inject({ method: 'POST', url: '/api/v1/drives', headers: t.auth.shelter, payload: { ...drive, districts: ['Atlantis'] } });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json().problems)).toContain('Atlantis');
    const backwards = await t.app.inject({ method: 'POST', url: '/api/v1/drives', headers: t.auth.shelter, payload: { ...drive, endsOn: '2025-06-01' } });
    expect(backwards.statusCode).toBe(400);
    expect(JSON.stringify(backwards.json().problems)).toContain('endsOn');
  });

  it('registers children in bulk into the drive and reports how many were matched and how many have a likely pair', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/drives', headers: t.auth.shelter, payload: drive });
    expect(created.statusCode, created.body).toBe(201);
    const driveId = created.json().id as string;
    expect(created.json().districts).toEqual(['DL-new-delhi', 'DL-central-delhi']);

    // One of the drive's children was reported missing in Dhanbad; two others were not.
    const reportId = (await t.inject({ method: 'POST', url: '/api/v1/missing-reports', payload: fullMissingReport() })).json().id as string;
    const children = [
      fullFoundChild({ foundOn: '2025-07-10' }),
      fullFoundChild({ name: 'Arjun', aliases: [], sex: 'male', fatherName: 'Suresh Yadav', apparentAgeYears: 7, ageRangeYears: null, foundOn: '2025-07-11', statedHome: { district: 'Gaya', state: 'Bihar' }, identificationMarks: null }),
      fullFoundChild({ name: null, aliases: [], fatherName: null, sex: 'unknown', apparentAgeYears: 4, ageRangeYears: null, foundOn: '2025-07-12', statedHome: null, identificationMarks: null, languages: [] }),
    ];
    const ctx = { pool: t.db.database.pool, boss: t.db.boss };
    const ids = [];
    for (const child of children) ids.push((await importRecord(ctx, foundSide, child, 'import', driveId)).id);

    const report = async () => (await t.app.inject({ method: 'GET', url: `/api/v1/drives/${driveId}`, headers: t.auth.shelter })).json().report;
    expect(await report()).toMatchObject({ registered: 3, matchedSoFar: 0, withLikelyPair: 0 });

    const engine = createEngine();
    await matchRecord(t.db.database.pool, engine, { floor: 0.001, topK: 10 }, { side: 'missing', id: reportId, version: 1 });
    for (const id of ids) await matchRecord(t.db.database.pool, engine, { floor: 0.001, topK: 10 }, { side: 'found', id, version: 1 });
    expect(await report()).toMatchObject({ registered: 3, matchedSoFar: 3, withLikelyPair: 1, confirmed: 0, restored: 0 });

    // Re-running the import changes nothing and registers nobody twice.
    for (const child of children) expect((await importRecord(ctx, foundSide, child, 'import', driveId)).outcome).toBe('unchanged');
    expect((await report()).registered).toBe(3);
    const listed = (await t.app.inject({ method: 'GET', url: '/api/v1/drives', headers: t.auth.shelter })).json().items;
    expect(listed.map((d: { id: string }) => d.id)).toContain(driveId);
  });

  it('an unknown drive is a 404', async () => {
    const answer = await t.app.inject({ method: 'GET', url: '/api/v1/drives/00000000-0000-4000-8000-000000000000', headers: t.auth.shelter });
    expect(answer.statusCode).toBe(404);
  });
});
