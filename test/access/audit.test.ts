// The audit trail: reads and writes of a child's record leave entries (who, what, when, request,
// no personal values); the database refuses to rewrite it; admins read and export it.
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/app.ts';
import { fullMissingReport } from '../helpers/people.ts';

const t = useTestApp();

async function entriesFor(id: string) {
  const { rows } = await t.db.database.pool.query('SELECT actor_name, action, entity, entity_id, request_id FROM audit_entry WHERE entity_id = $1 ORDER BY id', [id]);
  return rows;
}

describe('the audit trail', () => {
  it('filing, reading, listing and changing a report each leave an entry naming the actor and request', async () => {
    const report = fullMissingReport();
    const { id } = (await t.inject({ method: 'POST', url: '/api/v1/missing-reports', payload: report })).json();
    await t.inject({ method: 'GET', url: `/api/v1/missing-reports/${id}`, headers: { 'x-request-id': 'req-read-1' } });
    await t.inject({ method: 'GET', url: '/api/v1/missing-reports?limit=200' });
    await t.inject({ method: 'PATCH', url: `/api/v1/missing-reports/${id}`, payload: { heightCm: 99 } });
    await t.inject({ method: 'GET', url: `/api/v1/missing-reports/${id}/history` });
    const entries = await entriesFor(id);
    expect(entries.map((e) => e.action)).toEqual(['create', 'read', 'list-read', 'update', 'read-history']);
    expect(entries.every((e) => e.entity === 'missing_report' && e.actor_name.startsWith('police-'))).toBe(true);
    expect(entries[1].request_id).toBe('req-read-1');
    // No personal values: the child's name, phone and address appear nowhere in the trail.
    const { rows } = await t.db.database.pool.query(`SELECT count(*)::int AS n FROM audit_entry WHERE row_to_json(audit_entry)::text ~ $1`, [`${report.name}|98000|Lane 4`]);
    expect(rows[0].n).toBe(0);
  });

  it('the database refuses UPDATE, DELETE and TRUNCATE on it, even from the service', async () => {
    const pool = t.db.database.pool;
    await expect(pool.query(`UPDATE audit_entry SET actor_name = 'someone else'`)).rejects.toThrow(/append-only/);
    await expect(pool.query('DELETE FROM audit_entry')).rejects.toThrow(/append-only/);
    await expect(pool.query('TRUNCATE audit_entry')).rejects.toThrow(/append-only/);
    expect((await pool.query('SELECT count(*)::int AS n FROM audit_entry')).rows[0].n).toBeGreaterThan(0);
  });

  it('admins filter it and export it as CSV; others may not read it', async () => {
    const { id } = (await t.inject({ method: 'POST', url: '/api/v1/missing-reports', payload: fullMissingReport() })).json();
    const filtered = await t.app.inject({ method: 'GET', url: `/api/v1/audit?entity=missing_report&entityId=${id}`, headers: t.auth.admin });
    expect(filtered.statusCode).toBe(200);
    expect(filtered.json().items.map((e: { action: string }) => e.action)).toEqual(['create']);
    const csv = await t.app.inject({ method: 'GET', url: `/api/v1/audit?entityId=${id}&format=csv`, headers: t.auth.admin });
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.body.trim().split('\n');
    expect(lines[0]).toBe('id,at,actorId,actorName,action,entity,entityId,requestId,outcome');
    expect(lines[1]).toContain(`create,missing_report,${id}`);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/audit', headers: t.auth.matching_officer })).statusCode).toBe(403);
  });

  it('a refused sign-in is recorded without the username tried', async () => {
    await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'somebody.guessing', password: 'wrong password' } });
    const { rows } = await t.db.database.pool.query(`SELECT actor_name, outcome FROM audit_entry WHERE action = 'login' ORDER BY id DESC LIMIT 1`);
    expect(rows[0]).toEqual({ actor_name: 'system', outcome: 'refused' });
  });
});
