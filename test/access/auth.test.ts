// Signing in: every endpoint but /health and /ready needs a user; cookie sessions need CSRF tokens;
// repeated failures lock an account; API tokens expire and are revocable; the first admin comes
// from a one-time set-up token.
import { describe, expect, it } from 'vitest';
import { createSetupToken, issueToken } from '../../src/access/credentials.ts';
import { createUser } from '../../src/access/users.ts';
import { useTestApp } from '../helpers/app.ts';
import { fullMissingReport } from '../helpers/people.ts';

const t = useTestApp();
const password = 'a long enough password';

async function newUser(username: string) {
  return createUser(t.db.database.pool, { username, displayName: username, role: 'police', scope: 'state', stateCode: 'JH', password });
}

async function login(username: string, pass = password) {
  return t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: pass } });
}

describe('who may call what', () => {
  it('every endpoint in the API description refuses a request without a user, but health and readiness', async () => {
    await t.app.ready();
    const spec = t.app.swagger() as { paths: Record<string, Record<string, unknown>> };
    const open = new Set(['GET /health', 'GET /ready', 'POST /api/v1/auth/login', 'POST /api/v1/auth/setup']);
    let checked = 0;
    for (const [path, methods] of Object.entries(spec.paths)) {
      for (const method of Object.keys(methods)) {
        const key = `${method.toUpperCase()} ${path}`;
        if (open.has(key)) continue;
        const url = path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000001');
        const answer = await t.app.inject({ method: method.toUpperCase() as 'GET', url, payload: method === 'get' ? undefined : {} });
        expect(answer.statusCode, key).toBe(401);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(25);
    expect((await t.app.inject({ method: 'GET', url: '/docs/json' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  });

  it('a made-up bearer token is refused', async () => {
    const answer = await t.app.inject({ method: 'GET', url: '/api/v1/missing-reports', headers: { authorization: 'Bearer mt_not-a-real-token' } });
    expect(answer.statusCode).toBe(401);
  });
});

describe('web sessions', () => {
  it('sign-in sets an httpOnly SameSite cookie; writes need the CSRF token; sign-out ends the session', async () => {
    await newUser('si.web');
    const signedIn = await login('si.web');
    expect(signedIn.statusCode).toBe(200);
    const setCookie = String(signedIn.headers['set-cookie']);
    expect(setCookie).toMatch(/milap_session=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    const cookie = setCookie.split(';')[0]!;
    const { csrfToken } = signedIn.json();

    const read = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } });
    expect(read.json().user.username).toBe('si.web');
    const report = fullMissingReport();
    const withoutCsrf = await t.app.inject({ method: 'POST', url: '/api/v1/missing-reports', headers: { cookie }, payload: report });
    expect(withoutCsrf.statusCode).toBe(403);
    const wrongCsrf = await t.app.inject({ method: 'POST', url: '/api/v1/missing-reports', headers: { cookie, 'x-csrf-token': 'guess' }, payload: report });
    expect(wrongCsrf.statusCode).toBe(403);
    const withCsrf = await t.app.inject({ method: 'POST', url: '/api/v1/missing-reports', headers: { cookie, 'x-csrf-token': csrfToken }, payload: report });
    expect(withCsrf.statusCode).toBe(201);

    const out = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie, 'x-csrf-token': csrfToken } });
    expect(out.statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } })).statusCode).toBe(401);
  });

  it('five wrong passwords lock the account, even against the right one', async () => {
    await newUser('si.locked');
    for (let i = 0; i < 5; i++) expect((await login('si.locked', 'wrong password!')).statusCode).toBe(401);
    const locked = await login('si.locked');
    expect(locked.statusCode).toBe(429);
    expect(locked.json().message).toMatch(/locked until/);
  });

  it('an unknown username and a wrong password get the same answer', async () => {
    await newUser('si.real');
    const unknown = await login('si.nobody', password);
    const wrong = await login('si.real', 'not the password');
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json()).toEqual(wrong.json());
  });
});

describe('API tokens', () => {
  it('a token works until it is revoked', async () => {
    const user = await newUser('system.cctns');
    const token = await issueToken(t.db.database.pool, user.id, 'state police system', 30);
    const headers = { authorization: `Bearer ${token.token}` };
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/missing-reports', headers })).statusCode).toBe(200);
    const revoked = await t.app.inject({ method: 'POST', url: `/api/v1/tokens/${token.id}/revoke`, headers: t.auth.admin });
    expect(revoked.json().revoked).toBe(true);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/missing-reports', headers })).statusCode).toBe(401);
  });

  it('a token revoked or a user disabled by another process is refused within a second', async () => {
    // Another server or `milap users disable` changes the database, not this process's memory.
    const elsewhere = (sql: string, id: string) => t.db.database.pool.query(sql, [id]);
    const user = await newUser('system.elsewhere');
    const revokedToken = await issueToken(t.db.database.pool, user.id, 'revoked elsewhere', 30);
    const disabledUser = await newUser('si.disabled.elsewhere');
    const disabledToken = await issueToken(t.db.database.pool, disabledUser.id, 'laptop', 30);
    const list = (token: string) => t.app.inject({ method: 'GET', url: '/api/v1/missing-reports', headers: { authorization: `Bearer ${token}` } });
    expect((await list(revokedToken.token)).statusCode).toBe(200);
    expect((await list(disabledToken.token)).statusCode).toBe(200);
    await elsewhere('UPDATE api_token SET revoked_at = clock_timestamp() WHERE id = $1', revokedToken.id);
    await elsewhere('UPDATE app_user SET disabled_at = clock_timestamp() WHERE id = $1', disabledUser.id);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await list(revokedToken.token)).statusCode).toBe(401);
    expect((await list(disabledToken.token)).statusCode).toBe(401);
  });

  it('an expired token is refused', async () => {
    const user = await newUser('system.expiring');
    const token = await issueToken(t.db.database.pool, user.id, 'short-lived', 1);
    await t.db.database.pool.query(`UPDATE api_token SET expires_at = clock_timestamp() - interval '1 second' WHERE id = $1`, [token.id]);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/missing-reports', headers: { authorization: `Bearer ${token.token}` } })).statusCode).toBe(401);
  });

  it('disabling a user ends their tokens', async () => {
    const user = await newUser('si.leaving');
    const token = await issueToken(t.db.database.pool, user.id, 'laptop', 30);
    await t.app.inject({ method: 'POST', url: '/api/v1/users/si.leaving/disable', headers: t.auth.admin });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/missing-reports', headers: { authorization: `Bearer ${token.token}` } })).statusCode).toBe(401);
  });

  it('only admins issue tokens and manage users', async () => {
    const answer = await t.app.inject({ method: 'GET', url: '/api/v1/users', headers: t.auth.police });
    expect(answer.statusCode).toBe(403);
  });
});

describe('the first admin', () => {
  it('is created once with the set-up token, which then stops working', async () => {
    // This database already has users; a set-up token can only exist before the first one.
    expect(await createSetupToken(t.db.database.pool)).toBeNull();
  });
});
