// Signing in and out, the first admin's set-up, and who am I.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type pg from 'pg';
import { z } from 'zod';
import { sessionCookie } from '../access/authenticate.ts';
import { closeSession, openSession, sessionHours, useSetupToken } from '../access/credentials.ts';
import { LoginLimiter } from '../access/login-limiter.ts';
import { checkPassword, createUser, newUserSchema } from '../access/users.ts';
import { withTransaction } from '../db/database.ts';
import { HttpError } from '../http/errors.ts';
import { appendAudit } from '../access/audit.ts';

export function authRoutes(pool: pg.Pool, options: { secureCookies: boolean }): FastifyPluginAsyncZod {
  const limiter = new LoginLimiter();
  const tags = ['sign-in'];
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'strict' as const, secure: options.secureCookies, maxAge: sessionHours * 3600 };
  return async (app) => {
    const loginBody = z.strictObject({ username: z.string().trim().min(1).max(64), password: z.string().min(1).max(200) });
    app.post('/login', { config: { public: true }, schema: { tags, summary: 'sign in: sets the session cookie, returns the CSRF token', body: loginBody } }, async (request, reply) => {
      if (!limiter.allow(request.ip)) throw new HttpError(429, 'too_many_attempts', 'too many sign-in attempts from this address; wait a few minutes');
      const result = await checkPassword(pool, request.body.username.toLowerCase(), request.body.password);
      if (!result.ok) {
        await appendAudit(pool, { actor: null, action: 'login', entity: 'app_user', ids: [null], requestId: request.id, outcome: 'refused' });
        if (result.reason === 'locked') throw new HttpError(429, 'locked', `too many failed sign-ins: the account is locked until ${result.lockedUntil}`);
        throw new HttpError(401, 'unauthenticated', 'wrong username or password, or the account is disabled');
      }
      const session = await openSession(pool, result.user.id);
      await appendAudit(pool, { actor: result.user, action: 'login', entity: 'app_user', ids: [result.user.id], requestId: request.id });
      return reply.setCookie(sessionCookie, session.token, cookieOptions).send({ user: result.user, csrfToken: session.csrfToken, expiresAt: session.expiresAt });
    });

    app.post('/logout', { schema: { tags, summary: 'sign out: ends this session' } }, async (request, reply) => {
      const token = request.cookies[sessionCookie];
      if (token) await closeSession(pool, token);
      await request.audit('logout', 'app_user', [request.principal!.id]);
      return reply.clearCookie(sessionCookie, { path: '/' }).send({ signedOut: true });
    });

    app.get('/me', { schema: { tags, summary: 'the signed-in user' } }, async (request) => ({ user: request.principal }));

    const setupBody = newUserSchema.safeExtend({ setupToken: z.string().min(10).max(200) });
    app.post('/setup', { config: { public: true }, schema: { tags, summary: 'create the first admin with the one-time set-up token', body: setupBody } }, async (request, reply) => {
      if (!limiter.allow(request.ip)) throw new HttpError(429, 'too_many_attempts', 'too many attempts from this address; wait a few minutes');
      const { setupToken, ...user } = request.body;
      if (user.role !== 'admin' || user.scope !== 'national') throw new HttpError(400, 'invalid_request', 'role: the first user is a national admin');
      const created = await withTransaction(pool, async (tx) => {
        if (!(await useSetupToken(tx, setupToken))) throw new HttpError(401, 'unauthenticated', 'the set-up token is wrong or was already used');
        return createUser(tx, user);
      });
      await appendAudit(pool, { actor: created, action: 'setup-admin', entity: 'app_user', ids: [created.id], requestId: request.id });
      return reply.status(201).send(created);
    });
  };
}
