// Builds the real app on a fresh test database for one test file, with users to act as.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { issueToken } from '../../src/access/credentials.ts';
import type { Role } from '../../src/access/rules.ts';
import { createUser, type NewUser } from '../../src/access/users.ts';
import { DirectoryPhotoStore } from '../../src/photos/store.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

export interface TestApp {
  app: Awaited<ReturnType<typeof buildApp>>;
  db: TestDatabase;
  photoDir: string;
  /** Bearer headers of national users of each role. */
  auth: Record<Role, { authorization: string }>;
  /** inject() as the side's national user (police for missing reports, shelter for found children, else a matching officer). */
  inject(options: InjectOptions): Promise<LightMyRequestResponse>;
  /** Files a record through the API (POST to `url`), expects 201, and returns its id. */
  file(url: string, record: object): Promise<string>;
  /** Creates a user with this role and jurisdiction and returns its bearer header. */
  userWith(role: Role, jurisdiction: Pick<NewUser, 'scope' | 'stateCode' | 'districtId' | 'institution'>): Promise<{ authorization: string }>;
}

let userCounter = 0;

export function useTestApp(): TestApp {
  const holder = {} as TestApp;
  holder.userWith = async (role, jurisdiction) => {
    const user = await createUser(holder.db.database.pool, {
      username: `${role.replace('_', '-')}-${++userCounter}`,
      displayName: `Test ${role}`,
      role,
      password: 'correct horse battery staple',
      ...jurisdiction,
    });
    const { token } = await issueToken(holder.db.database.pool, user.id, 'test', 1);
    return { authorization: `Bearer ${token}` };
  };
  holder.inject = (options) => {
    const url = String(options.url);
    const role: Role = url.includes('/missing-reports') ? 'police' : url.includes('/found-children') ? 'shelter' : 'matching_officer';
    return holder.app.inject({ ...options, headers: { ...holder.auth[role], ...(options.headers ?? {}) } });
  };
  holder.file = async (url, record) => {
    const answer = await holder.inject({ method: 'POST', url, payload: record });
    expect(answer.statusCode, answer.body).toBe(201);
    return answer.json().id as string;
  };
  beforeAll(async () => {
    holder.db = await createTestDatabase();
    holder.photoDir = mkdtempSync(join(tmpdir(), 'milap-photos-'));
    holder.app = await buildApp({
      config: { BODY_LIMIT_BYTES: 64 * 1024, SECURE_COOKIES: 'off' },
      pool: holder.db.database.pool,
      boss: holder.db.boss,
      photoStore: new DirectoryPhotoStore(holder.photoDir),
    });
    const roles: Role[] = ['police', 'shelter', 'matching_officer', 'repatriation', 'admin'];
    holder.auth = Object.fromEntries(
      await Promise.all(roles.map(async (role) => [role, await holder.userWith(role, { scope: 'national' })])),
    ) as TestApp['auth'];
  });
  afterAll(async () => {
    await holder.app?.close();
    await holder.db?.close();
  });
  return holder;
}

/** A multipart body with one file, as a browser's form sends a photo (for inject). */
export function multipart(bytes: Buffer, filename = 'photo.jpg', field = 'photo') {
  const boundary = '----milaptest';
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: image/jpeg\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { payload: Buffer.concat([head, bytes, tail]), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
