// The authorization matrix: every role, inside and outside its jurisdiction, against every
// endpoint that touches a child's record, a pair, a restoration, users or the audit trail. The
// expected answer of each cell comes from the rules table (src/access/rules.ts), which README shows.
import { beforeAll, describe, expect, it } from 'vitest';
import { accessRules, roles, type Action, type Role } from '../../src/access/rules.ts';
import { useTestApp } from '../helpers/app.ts';
import { fullFoundChild, fullMissingReport } from '../helpers/people.ts';

const t = useTestApp();
type Headers = { authorization: string };
const users: Record<Role, { inside: Headers; outside: Headers }> = {} as never;
const jharkhand = { lastSeen: { district: 'Dhanbad', state: 'Jharkhand' }, home: { district: 'Dhanbad', state: 'Jharkhand' } };
const foundInJharkhand = { foundAt: { district: 'Dhanbad', state: 'Jharkhand' }, statedHome: { district: 'Dhanbad', state: 'Jharkhand' } };

async function filePair(state: 'pending' | 'confirmed' = 'pending') {
  const missing = (await t.inject({ method: 'POST', url: '/api/v1/missing-reports', payload: fullMissingReport(jharkhand) })).json();
  const found = (await t.inject({ method: 'POST', url: '/api/v1/found-children', payload: fullFoundChild(foundInJharkhand) })).json();
  const { rows } = await t.db.database.pool.query(
    `WITH pair AS (INSERT INTO candidate_pair (missing_id, found_id, probability, pair_probability, match_weight, model_version, missing_version, found_version)
     VALUES ($1, $2, 0.9, 0.9, 3.2, 'test', 1, 1) RETURNING id)
     INSERT INTO candidate_explanation (pair_id, explanation) SELECT id, '[]' FROM pair RETURNING pair_id AS id`,
    [missing.id, found.id],
  );
  const pairId: string = rows[0].id;
  let restorationId: string | null = null;
  if (state === 'confirmed') {
    const confirmed = await t.inject({ method: 'POST', url: `/api/v1/candidates/${pairId}/decision`, payload: { decision: 'confirm', reason: 'father identified her' } });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    restorationId = (await t.db.database.pool.query('SELECT id FROM restoration WHERE candidate_id = $1', [pairId])).rows[0].id;
  }
  return { missingId: missing.id as string, missingRef: missing.ref as string, foundId: found.id as string, pairId, restorationId };
}

interface Cell {
  endpoint: string;
  action: Action;
  /** Makes the request; returns its status and, for lists, whether the jurisdiction's item was listed. */
  call(headers: Headers): Promise<{ status: number; listed?: boolean }>;
}

let shared: Awaited<ReturnType<typeof filePair>>;
let confirmed: Awaited<ReturnType<typeof filePair>>;

const get = async (url: string, headers: Headers) => (await t.app.inject({ method: 'GET', url, headers })).statusCode;
const send = async (method: 'POST' | 'PATCH', url: string, headers: Headers, payload: object) =>
  (await t.app.inject({ method, url, headers, payload })).statusCode;
const listIncludes = async (url: string, headers: Headers, id: string) => {
  const answer = await t.app.inject({ method: 'GET', url, headers });
  return { status: answer.statusCode, listed: answer.statusCode === 200 && answer.json().items.some((item: { id: string }) => item.id === id) };
};

const cells: Cell[] = [
  { endpoint: 'GET missing report', action: 'missing:read', call: async (h) => ({ status: await get(`/api/v1/missing-reports/${shared.missingId}`, h) }) },
  { endpoint: 'GET missing report history', action: 'missing:read', call: async (h) => ({ status: await get(`/api/v1/missing-reports/${shared.missingId}/history`, h) }) },
  { endpoint: 'GET missing report photos', action: 'missing:read', call: async (h) => ({ status: await get(`/api/v1/missing-reports/${shared.missingId}/photos`, h) }) },
  { endpoint: 'list missing reports', action: 'missing:read', call: (h) => listIncludes('/api/v1/missing-reports?limit=200', h, shared.missingId) },
  { endpoint: 'POST missing report', action: 'missing:write', call: async (h) => ({ status: await send('POST', '/api/v1/missing-reports', h, fullMissingReport(jharkhand)) }) },
  { endpoint: 'PATCH missing report', action: 'missing:write', call: async (h) => ({ status: await send('PATCH', `/api/v1/missing-reports/${shared.missingId}`, h, { heightCm: 120 + Math.floor(Math.random() * 20) }) }) },
  { endpoint: 'POST missing report status', action: 'missing:write', call: async (h) => ({ status: await send('POST', `/api/v1/missing-reports/${shared.missingId}/status`, h, { status: 'open', reason: 'still missing' }) }) },
  { endpoint: 'GET found child', action: 'found:read', call: async (h) => ({ status: await get(`/api/v1/found-children/${shared.foundId}`, h) }) },
  { endpoint: 'GET found child history', action: 'found:read', call: async (h) => ({ status: await get(`/api/v1/found-children/${shared.foundId}/history`, h) }) },
  { endpoint: 'list found children', action: 'found:read', call: (h) => listIncludes('/api/v1/found-children?limit=200', h, shared.foundId) },
  { endpoint: 'POST found child', action: 'found:write', call: async (h) => ({ status: await send('POST', '/api/v1/found-children', h, fullFoundChild(foundInJharkhand)) }) },
  { endpoint: 'PATCH found child', action: 'found:write', call: async (h) => ({ status: await send('PATCH', `/api/v1/found-children/${shared.foundId}`, h, { heightCm: 130 + Math.floor(Math.random() * 20) }) }) },
  { endpoint: 'GET candidate pair', action: 'candidate:read', call: async (h) => ({ status: await get(`/api/v1/candidates/${shared.pairId}`, h) }) },
  { endpoint: 'list candidate pairs', action: 'candidate:read', call: (h) => listIncludes('/api/v1/candidates?limit=200', h, shared.pairId) },
  { endpoint: 'POST decision', action: 'candidate:decide', call: async (h) => ({ status: await send('POST', `/api/v1/candidates/${(await filePair()).pairId}/decision`, h, { decision: 'hold', reason: 'waiting for a photo' }) }) },
  { endpoint: 'list restorations', action: 'restoration:read', call: (h) => listIncludes('/api/v1/restorations', h, confirmed.restorationId!) },
  { endpoint: 'GET restoration', action: 'restoration:read', call: async (h) => ({ status: await get(`/api/v1/restorations/${confirmed.restorationId}`, h) }) },
  { endpoint: 'POST restoration step', action: 'restoration:advance', call: async (h) => ({ status: await send('POST', `/api/v1/restorations/${(await filePair('confirmed')).restorationId}/steps`, h, { to: 'cwc_order', note: 'CWC order issued' }) }) },
  { endpoint: 'list users', action: 'users:manage', call: async (h) => ({ status: await get('/api/v1/users', h) }) },
  { endpoint: 'list API tokens', action: 'users:manage', call: async (h) => ({ status: await get('/api/v1/tokens', h) }) },
  {
    endpoint: 'statistics',
    action: 'stats:read',
    call: async (h) => {
      const answer = await t.app.inject({ method: 'GET', url: '/api/v1/statistics?since=2000-01-01&until=2100-01-01', headers: h });
      return { status: answer.statusCode, listed: answer.statusCode === 200 && answer.json().items.some((row: { place: string }) => row.place === 'JH') };
    },
  },
  { endpoint: 'export missing reports', action: 'missing:read', call: async (h) => {
    const answer = await t.app.inject({ method: 'GET', url: '/api/v1/exports/missing-reports', headers: h });
    return { status: answer.statusCode, listed: answer.statusCode === 200 && answer.body.includes(shared.missingRef) };
  } },
  { endpoint: 'read the audit trail', action: 'audit:read', call: async (h) => ({ status: await get('/api/v1/audit', h) }) },
];

beforeAll(async () => {
  for (const role of roles) {
    users[role] = {
      inside: await t.userWith(role, { scope: 'state', stateCode: 'JH' }),
      outside: await t.userWith(role, { scope: 'state', stateCode: 'KA' }),
    };
  }
  shared = await filePair();
  confirmed = await filePair('confirmed');
});

describe.each(roles)('a %s user', (role) => {
  it.each(cells.map((cell) => [cell.endpoint, cell] as const))('%s, inside and outside the jurisdiction', async (_name, cell) => {
    const reach = accessRules[role][cell.action];
    for (const where of ['inside', 'outside'] as const) {
      const { status, listed } = await cell.call(users[role][where]);
      const label = `${role} ${where}: ${cell.endpoint}`;
      if (!reach) {
        expect(status, label).toBe(403);
        continue;
      }
      const reaches = reach === 'all' || where === 'inside';
      if (listed !== undefined) {
        // Lists answer 200 and hold only what lies inside the jurisdiction.
        expect(status, label).toBe(200);
        const confirmedOnly = reach === 'confirmed' && cell.action === 'candidate:read';
        expect(listed, label).toBe(reaches && !confirmedOnly);
        continue;
      }
      if (!reaches) expect(status, label).toBe(403);
      else if (reach === 'confirmed' && cell.endpoint === 'GET candidate pair') expect(status, `${label} (a pending pair)`).toBe(403);
      else expect([200, 201], label).toContain(status);
    }
  });
});

describe('repatriation and confirmed pairs', () => {
  it('a repatriation coordinator sees the confirmed pair of their jurisdiction', async () => {
    const answer = await t.app.inject({ method: 'GET', url: `/api/v1/candidates/${confirmed.pairId}`, headers: users.repatriation.inside });
    expect(answer.statusCode).toBe(200);
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/candidates?limit=200', headers: users.repatriation.inside });
    expect(list.json().items.every((item: { state: string }) => item.state === 'confirmed')).toBe(true);
  });

  it('a Karnataka police user cannot file a report of a Jharkhand child, and nothing is stored', async () => {
    const report = fullMissingReport(jharkhand);
    const answer = await t.app.inject({ method: 'POST', url: '/api/v1/missing-reports', headers: users.police.outside, payload: report });
    expect(answer.statusCode).toBe(403);
    const { rows } = await t.db.database.pool.query('SELECT 1 FROM missing_report WHERE ref = $1', [report.ref]);
    expect(rows).toEqual([]);
  });
});
