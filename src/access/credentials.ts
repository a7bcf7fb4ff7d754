// Sessions (for the web app, in an httpOnly cookie) and API tokens (for systems, as a bearer
// token): random secrets of which only the sha256 is stored, each expiring and revocable.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type pg from 'pg';
import { BoundedCache } from '../bounded-cache.ts';
import { perPool } from '../db/per-pool.ts';
import { userColumns, type User } from './users.ts';

export const sessionHours = 12;
const secret = (prefix: string) => `${prefix}_${randomBytes(32).toString('base64url')}`;
export const digest = (value: string) => createHash('sha256').update(value).digest('hex');

export function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export interface Session {
  token: string;
  csrfToken: string;
  expiresAt: string;
}

export async function openSession(db: pg.Pool, userId: string): Promise<Session> {
  const token = secret('ms');
  const csrfToken = randomBytes(24).toString('base64url');
  const { rows } = await db.query<{ expiresAt: string }>(
    `INSERT INTO user_session (token_hash, user_id, csrf_token, expires_at)
     VALUES ($1, $2, $3, clock_timestamp() + make_interval(hours => $4)) RETURNING expires_at::text AS "expiresAt"`,
    [digest(token), userId, csrfToken, sessionHours],
  );
  return { token, csrfToken, expiresAt: rows[0]!.expiresAt };
}

export async function closeSession(db: pg.Pool, token: string): Promise<void> {
  await db.query('UPDATE user_session SET revoked_at = clock_timestamp() WHERE token_hash = $1 AND revoked_at IS NULL', [digest(token)]);
}

/** The user behind a live session of an enabled account, with the session's CSRF token. */
export async function userOfSession(db: pg.Pool, token: string): Promise<{ user: User; csrfToken: string } | null> {
  const { rows } = await db.query<User & { csrfToken: string }>(
    `SELECT ${userColumns('u')}, s.csrf_token AS "csrfToken" FROM user_session s JOIN app_user u ON u.id = s.user_id
      WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > clock_timestamp() AND u.disabled_at IS NULL`,
    [digest(token)],
  );
  const row = rows[0];
  if (!row) return null;
  const { csrfToken, ...user } = row;
  return { user, csrfToken };
}

export interface ApiToken {
  id: string;
  name: string;
  userId: string;
  expiresAt: string;
  revoked: boolean;
}

const tokenColumns = `id, name, user_id AS "userId", expires_at::text AS "expiresAt", revoked_at IS NOT NULL AS revoked`;

/** Issues a token acting as `userId` (its role and jurisdiction); the secret is shown once. */
export async function issueToken(db: pg.Pool, userId: string, name: string, days: number): Promise<ApiToken & { token: string }> {
  const token = secret('mt');
  const { rows } = await db.query<ApiToken>(
    `INSERT INTO api_token (token_hash, user_id, name, expires_at) VALUES ($1, $2, $3, clock_timestamp() + make_interval(days => $4))
     RETURNING ${tokenColumns}`,
    [digest(token), userId, name, days],
  );
  return { ...rows[0]!, token };
}

export async function revokeToken(db: pg.Pool, id: string): Promise<ApiToken | null> {
  const { rows } = await db.query<ApiToken>(
    `UPDATE api_token SET revoked_at = COALESCE(revoked_at, clock_timestamp()) WHERE id = $1 RETURNING ${tokenColumns}`,
    [id],
  );
  forgetTokens(db);
  return rows[0] ?? null;
}

export async function listTokens(db: pg.Pool): Promise<ApiToken[]> {
  return (await db.query<ApiToken>(`SELECT ${tokenColumns} FROM api_token ORDER BY created_at DESC`)).rows;
}

/**
 * The users behind API tokens this process has seen, so that a system filing hundreds of records a
 * second is not looked up in the database for each one. A token's entry lasts until the token
 * expires or any credential changes: a revocation or a disabled user made through this process
 * empties the cache at once, and one made elsewhere moves `credential_epoch` (by trigger), which is
 * read at most once a second.
 */
class TokenCache {
  static readonly recheckMs = 1000;
  static readonly maxEntries = 10_000;
  readonly entries = new BoundedCache<string, { user: User; expiresAt: number }>(TokenCache.maxEntries);
  /** Moves on every emptying; a lookup that began before one does not refill the cache. */
  generation = 0;
  epoch: string | null = null;
  checkedAt = 0;
  checking: Promise<void> | null = null;

  forget() {
    this.entries.clear();
    this.generation++;
  }

  /** Empties the cache when the database's credential epoch moved since the last look. */
  async current(db: pg.Pool): Promise<void> {
    if (Date.now() - this.checkedAt < TokenCache.recheckMs) return;
    this.checking ??= (async () => {
      try {
        const { rows } = await db.query<{ epoch: string }>('SELECT epoch::text AS epoch FROM credential_epoch');
        const epoch = rows[0]?.epoch ?? null;
        if (epoch !== this.epoch) this.forget();
        this.epoch = epoch;
        this.checkedAt = Date.now();
      } finally {
        this.checking = null;
      }
    })();
    await this.checking;
  }

  remember(key: string, user: User, expiresAt: number, generation: number) {
    if (generation !== this.generation) return;
    this.entries.set(key, { user: Object.freeze(user), expiresAt });
  }
}

const tokenCacheOf = perPool(() => new TokenCache());

/** Called after a revocation or a change to a user: this process stops trusting what it remembers. */
export const forgetTokens = (db: pg.Pool) => tokenCacheOf(db).forget();

/** The user behind a live API token of an enabled account. */
export async function userOfToken(db: pg.Pool, token: string): Promise<User | null> {
  const cache = tokenCacheOf(db);
  await cache.current(db);
  const key = digest(token);
  const hit = cache.entries.get(key);
  if (hit && hit.expiresAt > Date.now()) return hit.user;
  if (hit) cache.entries.delete(key);
  const generation = cache.generation;
  const { rows } = await db.query<User & { expiresAtMs: string }>(
    `SELECT ${userColumns('u')}, (extract(epoch FROM t.expires_at) * 1000)::bigint::text AS "expiresAtMs"
       FROM api_token t JOIN app_user u ON u.id = t.user_id
      WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > clock_timestamp() AND u.disabled_at IS NULL`,
    [key],
  );
  const row = rows[0];
  if (!row) return null;
  const { expiresAtMs, ...user } = row;
  cache.remember(key, user, Number(expiresAtMs), generation);
  return user;
}

/** The first start's one-time admin set-up token; null once any user exists or a token is pending. */
export async function createSetupToken(db: pg.Pool): Promise<string | null> {
  const token = secret('setup');
  const { rowCount } = await db.query(
    `INSERT INTO setup_token (token_hash)
     SELECT $1 WHERE NOT EXISTS (SELECT 1 FROM app_user) AND NOT EXISTS (SELECT 1 FROM setup_token WHERE used_at IS NULL)`,
    [digest(token)],
  );
  return rowCount ? token : null;
}

export async function useSetupToken(db: Pick<pg.PoolClient, 'query'>, token: string): Promise<boolean> {
  const { rowCount } = await db.query(
    'UPDATE setup_token SET used_at = clock_timestamp() WHERE token_hash = $1 AND used_at IS NULL AND NOT EXISTS (SELECT 1 FROM app_user)',
    [digest(token)],
  );
  return Boolean(rowCount);
}
