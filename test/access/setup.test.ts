// First start: no users, a one-time set-up token creates the first national admin, once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/app.ts';
import { createSetupToken } from '../../src/access/credentials.ts';
import { DirectoryPhotoStore } from '../../src/photos/store.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

let db: TestDatabase;
let app: Awaited<ReturnType<typeof buildApp>>;
beforeAll(async () => {
  db = await createTestDatabase();
  app = await buildApp({ config: { BODY_LIMIT_BYTES: 65536, SECURE_COOKIES: 'off' }, pool: db.database.pool, boss: db.boss, photoStore: new DirectoryPhotoStore(mkdtempSync(join(tmpdir(), 'p-'))) });
});
afterAll(async () => {
  await app.close();
  await db.close();
});

const admin = { username: 'state.admin', displayName: 'State Admin', role: 'admin', scope: 'national', password: 'a very long admin password' };

describe('first start', () => {
  it('one set-up token is issued, creates the first admin once, and is then spent', async () => {
    const token = await createSetupToken(db.database.pool);
    expect(token).toMatch(/^setup_/);
    expect(await createSetupToken(db.database.pool)).toBeNull();
    const wrong = await app.inject({ method: 'POST', url: '/api/v1/auth/setup', payload: { ...admin, setupToken: 'setup_wrong-token' } });
    expect(wrong.statusCode).toBe(401);
    const created = await app.inject({ method: 'POST', url: '/api/v1/auth/setup', payload: { ...admin, setupToken: token } });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ username: 'state.admin', role: 'admin' });
    const again = await app.inject({ method: 'POST', url: '/api/v1/auth/setup', payload: { ...admin, username: 'second.admin', setupToken: token } });
    expect(again.statusCode).toBe(401);
    const signedIn = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'state.admin', password: admin.password } });
    expect(signedIn.statusCode).toBe(200);
  });
});
