// The scheme's numbers: statistics by state and district, the quarterly report (CSV and printable),
// and exports of a jurisdiction's records in CONTRACT.md's format.
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/app.ts';
import { fullFoundChild, fullMissingReport } from '../helpers/people.ts';

const t = useTestApp();
const ranchi = { lastSeen: { district: 'Ranchi', state: 'Jharkhand' } };
const reports = [fullMissingReport(), fullMissingReport(), fullMissingReport(ranchi)];
let restoredPair = '';

beforeAll(async () => {
  const ids = [];
  for (const report of reports) ids.push((await t.inject({ method: 'POST', url: '/api/v1/missing-reports', payload: report })).json().id);
  const found = (await t.inject({ method: 'POST', url: '/api/v1/found-children', payload: fullFoundChild({ foundAt: { district: 'Dhanbad', state: 'Jharkhand' } }) })).json().id;
  const { rows } = await t.db.database.pool.query(
    `WITH pair AS (INSERT INTO candidate_pair (missing_id, found_id, probability, pair_probability, match_weight, model_version, missing_version, found_version)
     VALUES ($1, $2, 0.95, 0.95, 5, 'test', 1, 1) RETURNING id)
     INSERT INTO candidate_explanation (pair_id, explanation) SELECT id, '[]' FROM pair RETURNING pair_id AS id`,
    [ids[0], found],
  );
  restoredPair = rows[0].id;
  await t.inject({ method: 'POST', url: `/api/v1/candidates/${restoredPair}/decision`, payload: { decision: 'confirm', reason: 'mother identified him' } });
  const restoration = (await t.db.database.pool.query('SELECT id FROM restoration WHERE candidate_id = $1', [restoredPair])).rows[0].id;
  for (const to of ['cwc_order', 'home_verification', 'escort', 'handed_over']) {
    await t.app.inject({ method: 'POST', url: `/api/v1/restorations/${restoration}/steps`, headers: t.auth.repatriation, payload: { to, note: `step ${to}` } });
  }
});

describe('statistics', () => {
  it('counts reports, found children, confirmations and restorations by district', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const answer = await t.inject({ method: 'GET', url: `/api/v1/statistics?since=${today}&until=${today}&groupBy=district`, headers: t.auth.admin });
    expect(answer.statusCode, answer.body).toBe(200);
    const byPlace = Object.fromEntries(answer.json().items.map((row: { place: string }) => [row.place, row]));
    expect(byPlace['JH-dhanbad']).toMatchObject({ reportsFiled: 2, childrenFound: 1, confirmed: 1, restored: 1 });
    expect(byPlace['JH-dhanbad'].medianDaysConfirmationToHandOver).toBeGreaterThanOrEqual(0);
    // The restored child's report was filed today and handed over today: a median of 0 days.
    expect(byPlace['JH-dhanbad'].medianDaysFilingToRestoration).toBe(0);
    expect(byPlace['JH-ranchi']).toMatchObject({ reportsFiled: 1, childrenFound: 0 });
    expect(answer.json().totals).toMatchObject({ reportsFiled: 3, childrenFound: 1, restored: 1 });
  });

  it('a period with nothing in it counts nothing', async () => {
    const answer = await t.inject({ method: 'GET', url: '/api/v1/statistics?since=2001-01-01&until=2001-03-31', headers: t.auth.admin });
    expect(answer.json().totals).toMatchObject({ reportsFiled: 0, childrenFound: 0, restored: 0 });
  });
});

describe('the quarterly report', () => {
  const now = new Date();
  const quarter = Math.floor(now.getUTCMonth() / 3) + 1;
  it('as CSV, with a total line', async () => {
    const answer = await t.inject({ method: 'GET', url: `/api/v1/reports/quarterly?year=${now.getUTCFullYear()}&quarter=${quarter}&format=csv`, headers: t.auth.admin });
    expect(answer.headers['content-type']).toMatch(/text\/csv/);
    const lines = answer.body.trim().split('\n');
    expect(lines[0]).toMatch(/^place,missing reports filed,children found/);
    expect(lines.at(-1)).toMatch(/^total,3,1,/);
  });

  it('as a printable page', async () => {
    const answer = await t.inject({ method: 'GET', url: `/api/v1/reports/quarterly?year=${now.getUTCFullYear()}&quarter=${quarter}`, headers: t.auth.admin });
    expect(answer.headers['content-type']).toMatch(/text\/html/);
    expect(answer.body).toContain(`Quarterly progress report, India, Q${quarter}`);
    expect(answer.body).toContain('<td>Jharkhand</td>');
  });
});

describe('exports', () => {
  it('JSONL holds the records exactly as filed, and the export is audit-logged', async () => {
    const answer = await t.inject({ method: 'GET', url: '/api/v1/exports/missing-reports' });
    const exported = answer.body.trim().split('\n').map((line) => JSON.parse(line));
    expect(exported).toHaveLength(3);
    expect(exported).toEqual(expect.arrayContaining(reports));
    const { rows } = await t.db.database.pool.query(`SELECT count(*)::int AS n FROM audit_entry WHERE action = 'export'`);
    expect(rows[0].n).toBe(3);
  });

  it('CSV flattens places and lists', async () => {
    const answer = await t.inject({ method: 'GET', url: '/api/v1/exports/missing-reports?format=csv' });
    const [header, ...lines] = answer.body.trim().split('\n');
    expect(header!.split(',')).toContain('home.pincode');
    expect(lines).toHaveLength(3);
    expect(answer.body).toContain('Lachhmi; Guddi');
  });
});
