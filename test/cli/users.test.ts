// `milap users add|disable|list` from the server's shell: the user added can sign in with the
// password given, a disabled user cannot, and bad arguments name the field.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPassword } from '../../src/access/users.ts';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

let db: TestDatabase | null = null;
let dataDir = '';

beforeAll(async () => {
  if (process.env.DATABASE_URL) db = await createTestDatabase();
  else dataDir = join(mkdtempSync(join(tmpdir(), 'milap-users-')), 'data');
});
afterAll(async () => db?.close());

function milap(args: string[], password?: string) {
  const env = {
    ...process.env,
    LOG_LEVEL: 'silent',
    MILAP_PASSWORD: password ?? '',
    ...(db ? { DATABASE_URL: db.url! } : { DATABASE_URL: '', MILAP_DATA_DIR: dataDir }),
  };
  return spawnSync(process.execPath, ['bin/milap.js', 'users', ...args], { env, encoding: 'utf8', timeout: 120_000 });
}

async function withDatabase<T>(read: (database: Database) => Promise<T>): Promise<T> {
  if (db) return read(db.database);
  const database = await openDatabase({ MILAP_DATA_DIR: dataDir, DATABASE_POOL_SIZE: 1 });
  try {
    return await read(database);
  } finally {
    await database.close();
  }
}

describe('milap users', () => {
  const password = 'a long synthetic passphrase';

  it('adds a user who can then sign in, lists them, and disables them', async () => {
    const added = milap(['add', '--username', 'si.ranchi', '--name', 'SI Test Ranchi', '--role', 'police', '--scope', 'state', '--state', 'JH'], password);
    expect(added.status, added.stderr).toBe(0);
    expect(added.stdout).not.toContain(password);

    const signedIn = await withDatabase((database) => checkPassword(database.pool, 'si.ranchi', password));
    expect(signedIn).toMatchObject({ ok: true, user: { username: 'si.ranchi', role: 'police', scope: 'state', stateCode: 'JH' } });
    expect(await withDatabase((database) => checkPassword(database.pool, 'si.ranchi', 'not the passphrase at all'))).toMatchObject({ ok: false, reason: 'invalid' });

    const listed = milap(['list']);
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^si\.ranchi\tpolice\tstate:JH\tactive$/m);

    const disabled = milap(['disable', '--username', 'si.ranchi']);
    expect(disabled.status, disabled.stderr).toBe(0);
    expect(milap(['list']).stdout).toMatch(/^si\.ranchi\tpolice\tstate:JH\tdisabled$/m);
    expect(await withDatabase((database) => checkPassword(database.pool, 'si.ranchi', password))).toMatchObject({ ok: false, reason: 'disabled' });
  }, 120_000);

  it('refuses a bad role, a short password and an unknown user, naming what is wrong', () => {
    const badRole = milap(['add', '--username', 'x.y', '--name', 'X Y', '--role', 'constable', '--scope', 'national'], password);
    expect(badRole.status).toBe(2);
    expect(badRole.stderr).toMatch(/role/);
    const shortPassword = milap(['add', '--username', 'x.z', '--name', 'X Z', '--role', 'admin', '--scope', 'national'], 'short');
    expect(shortPassword.status).toBe(2);
    expect(shortPassword.stderr).toMatch(/password/);
    const unknown = milap(['disable', '--username', 'nobody.here']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/no user nobody\.here/);
    expect(milap(['frobnicate']).status).toBe(2);
  }, 120_000);
});
