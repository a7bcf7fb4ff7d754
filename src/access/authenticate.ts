// Every request but the public few (/health, /ready, login, first set-up) must carry a user: a
// bearer API token, or the web app's session cookie, whose unsafe requests also need the session's
// CSRF token in the X-CSRF-Token header.
import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type pg from 'pg';
import { HttpError } from '../http/errors.ts';
import { appendAudit } from './audit.ts';
import { sameSecret, userOfSession, userOfToken } from './credentials.ts';
import { reachOf, type Action, type Reach } from './rules.ts';
import type { User } from './users.ts';

export const sessionCookie = 'milap_session';
const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

declare module 'fastify' {
  interface FastifyRequest {
    principal: User | null;
    /** Refuses with 403 unless the user's role may do `action`; returns how far it reaches. */
    authorize(action: Action): Reach;
    /** Appends to the audit trail: who did what to which entities (no personal values). */
    audit(action: string, entity: string, ids: (string | null)[]): Promise<void>;
  }
  interface FastifyContextConfig {
    /** Reachable without a user. */
    public?: boolean;
  }
}

export const unauthenticated = () => new HttpError(401, 'unauthenticated', 'sign in, or send a valid API token');

async function principalOf(pool: pg.Pool, request: FastifyRequest): Promise<User> {
  const authorization = request.headers.authorization;
  if (authorization) {
    const [kind, token] = authorization.split(' ');
    if (kind?.toLowerCase() !== 'bearer' || !token) throw unauthenticated();
    const user = await userOfToken(pool, token);
    if (!user) throw unauthenticated();
    return user;
  }
  const token = request.cookies[sessionCookie];
  if (!token) throw unauthenticated();
  const session = await userOfSession(pool, token);
  if (!session) throw unauthenticated();
  if (!safeMethods.has(request.method)) {
    const sent = request.headers['x-csrf-token'];
    if (typeof sent !== 'string' || !sameSecret(sent, session.csrfToken)) {
      throw new HttpError(403, 'csrf', 'missing or wrong X-CSRF-Token for this session');
    }
  }
  return session.user;
}

export const authentication = fp(
  async (app: FastifyInstance, options: { pool: pg.Pool }) => {
    await app.register(cookie);
    app.decorateRequest('principal', null);
    app.decorateRequest('authorize', function (this: FastifyRequest, action: Action): Reach {
      if (!this.principal) throw unauthenticated();
      const reach = reachOf(this.principal.role, action);
      if (!reach) throw new HttpError(403, 'forbidden', `a ${this.principal.role} user may not ${action.replace(':', ' ')}`);
      return reach;
    });
    app.decorateRequest('audit', async function (this: FastifyRequest, action: string, entity: string, ids: (string | null)[]) {
      await appendAudit(options.pool, { actor: this.principal, action, entity, ids, requestId: this.id });
    });
    app.addHook('onRequest', async (request) => {
      if (request.routeOptions.config?.public) return;
      request.principal = await principalOf(options.pool, request);
    });
  },
  { name: 'authentication' },
);
