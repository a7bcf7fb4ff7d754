// Users: created with an Argon2id password hash, listed, disabled (never deleted: decisions and the
// audit trail name them). Logins lock an account for a while after repeated failures.
import { hash, verify } from '@node-rs/argon2';
import type pg from 'pg';
import { z } from 'zod';
import { conflict } from '../http/errors.ts';
import { forgetTokens } from './credentials.ts';
import type { Jurisdiction } from './jurisdiction.ts';
import { roles, type Role } from './rules.ts';

export interface User extends Jurisdiction {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  disabled: boolean;
}

export const lockout = { failures: 5, minutes: 15 };

// algorithm 2 is Argon2id (the package's const enum can't be imported under verbatimModuleSyntax).
const argon2 = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 };
// Verified against when the username is unknown, so both paths take the same time.
const unknownUserHash = await hash('no such user', argon2);

export const newUserSchema = z
  .strictObject({
    username: z.string().trim().regex(/^[a-z0-9][a-z0-9._-]{2,63}$/, 'must be 3-64 lowercase letters, digits, . _ -'),
    displayName: z.string().trim().min(1).max(200),
    role: z.enum(roles),
    scope: z.enum(['national', 'state', 'district', 'institution']),
    stateCode: z.string().trim().min(2).max(3).nullish(),
    districtId: z.string().trim().min(3).max(80).nullish(),
    institution: z.string().trim().min(1).max(200).nullish(),
    password: z.string().min(12, 'must be at least 12 characters').max(200),
  })
  .refine((u) => u.scope !== 'state' || u.stateCode, { path: ['stateCode'], message: 'a state jurisdiction needs stateCode' })
  .refine((u) => u.scope !== 'district' || u.districtId, { path: ['districtId'], message: 'a district jurisdiction needs districtId' })
  .refine((u) => u.scope !== 'institution' || u.institution, { path: ['institution'], message: 'an institution jurisdiction needs institution' });
export type NewUser = z.infer<typeof newUserSchema>;

/** A user's columns, optionally of a table alias (for joins). */
export const userColumns = (alias?: string) => {
  const a = alias ? `${alias}.` : '';
  return `${a}id, ${a}username, ${a}display_name AS "displayName", ${a}role, ${a}scope, ${a}state_code AS "stateCode",
  ${a}district_id AS "districtId", ${a}institution, ${a}disabled_at IS NOT NULL AS disabled`;
};

export async function createUser(db: Pick<pg.Pool, 'query'>, user: NewUser): Promise<User> {
  const passwordHash = await hash(user.password, argon2);
  const { rows } = await db.query<User>(
    `INSERT INTO app_user (username, display_name, role, scope, state_code, district_id, institution, password_hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (username) DO NOTHING RETURNING ${userColumns()}`,
    [user.username, user.displayName, user.role, user.scope, user.stateCode ?? null, user.districtId ?? null, user.institution ?? null, passwordHash],
  );
  if (!rows[0]) throw conflict(`the username ${user.username} is taken`);
  return rows[0];
}

export async function listUsers(db: pg.Pool): Promise<User[]> {
  return (await db.query<User>(`SELECT ${userColumns()} FROM app_user ORDER BY username`)).rows;
}

export async function findUser(db: Pick<pg.Pool, 'query'>, id: string): Promise<User | null> {
  return (await db.query<User>(`SELECT ${userColumns()} FROM app_user WHERE id = $1`, [id])).rows[0] ?? null;
}

/** Disabling also ends the user's sessions and tokens. */
export async function disableUser(db: pg.Pool, username: string): Promise<User | null> {
  const { rows } = await db.query<User>(
    `UPDATE app_user SET disabled_at = COALESCE(disabled_at, clock_timestamp()) WHERE username = $1 RETURNING ${userColumns()}`,
    [username],
  );
  if (rows[0]) {
    await db.query('UPDATE user_session SET revoked_at = clock_timestamp() WHERE user_id = $1 AND revoked_at IS NULL', [rows[0].id]);
    await db.query('UPDATE api_token SET revoked_at = clock_timestamp() WHERE user_id = $1 AND revoked_at IS NULL', [rows[0].id]);
    forgetTokens(db);
  }
  return rows[0] ?? null;
}

export async function countUsers(db: Pick<pg.Pool, 'query'>): Promise<number> {
  return (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM app_user')).rows[0]!.n;
}

export type LoginResult = { ok: true; user: User } | { ok: false; reason: 'invalid' | 'locked' | 'disabled'; lockedUntil?: string };

export async function checkPassword(db: pg.Pool, username: string, password: string): Promise<LoginResult> {
  const { rows } = await db.query<User & { passwordHash: string; lockedUntil: string | null; locked: boolean }>(
    `SELECT ${userColumns()}, password_hash AS "passwordHash", locked_until::text AS "lockedUntil",
            locked_until IS NOT NULL AND locked_until > clock_timestamp() AS locked
       FROM app_user WHERE username = $1`,
    [username],
  );
  const found = rows[0];
  const matches = await verify(found?.passwordHash ?? unknownUserHash, password);
  if (!found) return { ok: false, reason: 'invalid' };
  if (found.locked) return { ok: false, reason: 'locked', lockedUntil: found.lockedUntil! };
  if (found.disabled) return { ok: false, reason: 'disabled' };
  if (!matches) {
    await db.query(
      `UPDATE app_user SET failed_logins = failed_logins + 1,
         locked_until = CASE WHEN failed_logins + 1 >= $2 THEN clock_timestamp() + make_interval(mins => $3) ELSE locked_until END
       WHERE id = $1`,
      [found.id, lockout.failures, lockout.minutes],
    );
    return { ok: false, reason: 'invalid' };
  }
  await db.query('UPDATE app_user SET failed_logins = 0, locked_until = NULL WHERE id = $1', [found.id]);
  const { passwordHash: _hash, lockedUntil: _until, locked: _locked, ...user } = found;
  return { ok: true, user };
}
