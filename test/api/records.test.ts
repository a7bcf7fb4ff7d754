// Police file missing reports and shelters register found children through the API, on a real database.
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/app.ts';
import { fullFoundChild, fullMissingReport } from '../helpers/people.ts';

const t = useTestApp();
const missingUrl = '/api/v1/missing-reports';
const foundUrl = '/api/v1/found-children';

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  return t.inject({ method: 'POST', url, payload: body as object, headers });
}

describe('filing and reading back', () => {
  it('a missing report is read back with every field exactly as filed', async () => {
    const report = fullMissingReport();
    const created = await post(missingUrl, report);
    expect(created.statusCode).toBe(201);
    const { id } = created.json();
    const read = await t.inject({ method: 'GET', url: `${missingUrl}/${id}` });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({ id, ref: report.ref, status: 'open', version: 1, record: report });
    expect(read.json().record).toEqual(report);
  });

  it('a found child is read back with every field exactly as filed, names in their own script', async () => {
    const child = fullFoundChild();
    const created = await post(foundUrl, child);
    expect(created.statusCode).toBe(201);
    const read = await t.inject({ method: 'GET', url: `${foundUrl}/${created.json().id}` });
    expect(read.json().record).toEqual(child);
    expect(read.json().record.name).toBe('लछमी');
    expect(read.json().status).toBe('in_care');
  });

  it('places are resolved against the gazetteer, and what cannot be resolved is kept and marked', async () => {
    const report = fullMissingReport({
      lastSeen: { place: 'bus stand', district: 'Gurgaon', state: 'Haryana' },
      home: { place: 'somewhere', district: 'Qwzxv', state: null },
    });
    const created = (await post(missingUrl, report)).json();
    expect(created.places.lastSeen).toMatchObject({ resolution: 'district', stateCode: 'HR', districtName: 'Gurugram' });
    expect(created.places.home.resolution).toBe('unresolved');
    expect(created.record.home.district).toBe('Qwzxv');
    expect(created).toMatchObject({ stateCode: 'HR' });
  });

  it('an unknown id is 404 and a malformed id 400', async () => {
    expect((await t.inject({ method: 'GET', url: `${missingUrl}/00000000-0000-4000-8000-000000000000` })).statusCode).toBe(404);
    const bad = await t.inject({ method: 'GET', url: `${missingUrl}/not-an-id` });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().problems[0].field).toBe('params.id');
  });
});

describe('updates keep every version', () => {
  it('history shows who changed what, when, and the first version survives', async () => {
    const report = fullMissingReport({ heightCm: 120 });
    const sadar = await t.userWith('police', { scope: 'state', stateCode: 'JH' });
    const { id, createdBy } = (await post(missingUrl, report, sadar)).json();
    const patched = await t.inject({
      method: 'PATCH', url: `${missingUrl}/${id}`, payload: { heightCm: 124, description: 'blue school uniform' },
    });
    expect(patched.statusCode).toBe(200);
    const editor = patched.json().updatedBy;
    expect(editor).not.toBe(createdBy);
    expect(patched.json()).toMatchObject({ version: 2, record: { heightCm: 124, name: report.name } });
    const status = await t.inject({ method: 'POST', url: `${missingUrl}/${id}/status`, payload: { status: 'closed', reason: 'child returned home on her own' } });
    expect(status.json()).toMatchObject({ status: 'closed', version: 3 });

    const history = (await t.inject({ method: 'GET', url: `${missingUrl}/${id}/history` })).json().versions;
    expect(history.map((v: { version: number }) => v.version)).toEqual([1, 2, 3]);
    expect(history[0]).toMatchObject({ change: 'created', changedBy: createdBy, record: report });
    expect(history[1]).toMatchObject({ change: 'updated', changedBy: editor });
    expect(history[1].changes).toEqual([
      { field: 'description', before: report.description, after: 'blue school uniform' },
      { field: 'heightCm', before: 120, after: 124 },
    ]);
    expect(history[2]).toMatchObject({ change: 'status', reason: 'child returned home on her own', changes: [{ field: 'status', before: 'open', after: 'closed' }] });
  });

  it('a patch that would make the record invalid is refused and changes nothing', async () => {
    const { id } = (await post(missingUrl, fullMissingReport())).json();
    const refused = await t.inject({ method: 'PATCH', url: `${missingUrl}/${id}`, payload: { name: null } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().problems[0].field).toBe('name');
    const read = (await t.inject({ method: 'GET', url: `${missingUrl}/${id}` })).json();
    expect(read.version).toBe(1);
  });

  it('a stale If-Match version is refused with 412, so a quick second edit cannot lose the first', async () => {
    const { id } = (await post(foundUrl, fullFoundChild())).json();
    const first = await t.inject({ method: 'PATCH', url: `${foundUrl}/${id}`, payload: { heightCm: 140 }, headers: { 'if-match': '1' } });
    expect(first.statusCode).toBe(200);
    const second = await t.inject({ method: 'PATCH', url: `${foundUrl}/${id}`, payload: { heightCm: 141 }, headers: { 'if-match': '1' } });
    expect(second.statusCode).toBe(412);
    expect(second.json().version).toBe(2);
  });

  it('the filer\'s ref cannot be changed by a patch', async () => {
    const { id } = (await post(foundUrl, fullFoundChild())).json();
    const refused = await t.inject({ method: 'PATCH', url: `${foundUrl}/${id}`, payload: { ref: 'OTHER-1' } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().problems[0].field).toBe('ref');
  });
});

describe('idempotent filing', () => {
  it('a retried POST with the same Idempotency-Key returns the first record, never a second', async () => {
    const report = fullMissingReport();
    const headers = { 'idempotency-key': `retry-${report.ref}` };
    const first = await post(missingUrl, report, headers);
    const again = await post(missingUrl, report, headers);
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.json().id).toBe(first.json().id);
    const { rows } = await t.db.database.pool.query('SELECT count(*)::int AS n FROM missing_report WHERE ref = $1', [report.ref]);
    expect(rows[0].n).toBe(1);
  });

  it('concurrent retries with one key still make exactly one record', async () => {
    const child = fullFoundChild();
    const headers = { 'idempotency-key': `burst-${child.ref}` };
    const answers = await Promise.all(Array.from({ length: 5 }, () => post(foundUrl, child, headers)));
    expect(new Set(answers.map((a) => a.json().id)).size).toBe(1);
    expect(answers.every((a) => a.statusCode === 201)).toBe(true);
  });

  it('the same key with a different body is refused', async () => {
    const headers = { 'idempotency-key': 'reused-key-1' };
    expect((await post(missingUrl, fullMissingReport(), headers)).statusCode).toBe(201);
    const reused = await post(missingUrl, fullMissingReport(), headers);
    expect(reused.statusCode).toBe(422);
  });

  it('filing the same ref twice from one police station is a conflict naming the first record', async () => {
    const report = fullMissingReport();
    const first = (await post(missingUrl, report)).json();
    const second = await post(missingUrl, { ...report, name: 'Someone Else' });
    expect(second.statusCode).toBe(409);
    expect(second.json().id).toBe(first.id);
  });
});

describe('bad bodies get a 4xx naming the field', () => {
  const cases: [string, string, unknown, number, string][] = [
    ['missing a required field', missingUrl, { ...fullMissingReport(), name: undefined }, 400, 'name'],
    ['a wrong type', missingUrl, { ...fullMissingReport(), ageYears: 'nine' }, 400, 'ageYears'],
    ['an unknown field', missingUrl, { ...fullMissingReport(), favouriteColour: 'red' }, 400, 'favouriteColour'],
    ['an empty string posing as a value', missingUrl, { ...fullMissingReport(), fatherName: '  ' }, 400, 'fatherName'],
    ['an impossible date', missingUrl, { ...fullMissingReport(), missingSince: '2023-02-30' }, 400, 'missingSince'],
    ['a bad sex', foundUrl, { ...fullFoundChild(), sex: 'F' }, 400, 'sex'],
    ['an unknown field inside a place', foundUrl, { ...fullFoundChild(), foundAt: { town: 'Delhi' } }, 400, 'foundAt.town'],
    ['a reversed age range', foundUrl, { ...fullFoundChild(), ageRangeYears: [12, 9] }, 400, 'ageRangeYears'],
    ['a bad PIN code', missingUrl, { ...fullMissingReport(), home: { pincode: '12' } }, 400, 'home.pincode'],
    ['a body that is not an object', foundUrl, [1, 2, 3], 400, ''],
  ];
  it.each(cases)('%s', async (_label, url, body, status, field) => {
    const answer = await post(url, body);
    expect(answer.statusCode).toBe(status);
    expect(answer.json().message).toContain(field);
  });

  it('malformed JSON is 400', async () => {
    const answer = await t.inject({ method: 'POST', url: missingUrl, payload: '{"name": "Lakshmi",', headers: { 'content-type': 'application/json' } });
    expect(answer.statusCode).toBe(400);
  });

  it('an oversized body is 413', async () => {
    const answer = await post(missingUrl, { ...fullMissingReport(), description: 'x'.repeat(100_000) });
    expect(answer.statusCode).toBe(413);
  });

  it('a bad status is refused, and so is a status change without a reason', async () => {
    const { id } = (await post(foundUrl, fullFoundChild())).json();
    const bad = await t.inject({ method: 'POST', url: `${foundUrl}/${id}/status`, payload: { status: 'open', reason: 'x' } });
    expect(bad.statusCode).toBe(400);
    const noReason = await t.inject({ method: 'POST', url: `${foundUrl}/${id}/status`, payload: { status: 'restored' } });
    expect(noReason.json().problems[0].field).toBe('reason');
  });

  it('a bad list filter is 400 naming it', async () => {
    for (const [query, field] of [['limit=0', 'limit'], ['since=yesterday', 'since'], ['state=Atlantis', 'state'], ['cursor=abc', 'cursor'], ['colour=red', 'colour']]) {
      const answer = await t.inject({ method: 'GET', url: `${missingUrl}?${query}` });
      expect(answer.statusCode, query).toBe(400);
      expect(answer.json().message, query).toContain(field);
    }
  });
});
