// Administration: users, API tokens for systems, and the audit trail (with CSV export).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type pg from 'pg';
import { z } from 'zod';
import { listAudit, type AuditEntry } from '../access/audit.ts';
import { issueToken, listTokens, revokeToken } from '../access/credentials.ts';
import { createUser, disableUser, listUsers, newUserSchema } from '../access/users.ts';
import { notFound } from '../http/errors.ts';

const csvColumns: (keyof AuditEntry)[] = ['id', 'at', 'actorId', 'actorName', 'action', 'entity', 'entityId', 'requestId', 'outcome'];
const csvCell = (value: unknown) => {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

export function adminRoutes(pool: pg.Pool): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/users', { schema: { tags: ['users'], summary: 'every user' } }, async (request) => {
      request.authorize('users:manage');
      return { items: await listUsers(pool) };
    });

    app.post('/users', { schema: { tags: ['users'], summary: 'add a user', body: newUserSchema } }, async (request, reply) => {
      request.authorize('users:manage');
      const user = await createUser(pool, request.body);
      await request.audit('create-user', 'app_user', [user.id]);
      return reply.status(201).send(user);
    });

    const usernameParams = z.strictObject({ username: z.string().min(1).max(64) });
    app.post('/users/:username/disable', { schema: { tags: ['users'], summary: 'disable a user (ends their sessions and tokens)', params: usernameParams } }, async (request) => {
      request.authorize('users:manage');
      const user = await disableUser(pool, request.params.username);
      if (!user) throw notFound('user');
      await request.audit('disable-user', 'app_user', [user.id]);
      return user;
    });

    const tokenBody = z.strictObject({ userId: z.uuid(), name: z.string().trim().min(1).max(100), days: z.number().int().min(1).max(366) });
    app.post('/tokens', { schema: { tags: ['users'], summary: 'issue an API token acting as a user; the secret is shown once', body: tokenBody } }, async (request, reply) => {
      request.authorize('users:manage');
      const token = await issueToken(pool, request.body.userId, request.body.name, request.body.days);
      await request.audit('issue-token', 'api_token', [token.id]);
      return reply.status(201).send(token);
    });

    app.get('/tokens', { schema: { tags: ['users'], summary: 'API tokens (without their secrets)' } }, async (request) => {
      request.authorize('users:manage');
      return { items: await listTokens(pool) };
    });

    const tokenParams = z.strictObject({ id: z.uuid() });
    app.post('/tokens/:id/revoke', { schema: { tags: ['users'], summary: 'revoke an API token', params: tokenParams } }, async (request) => {
      request.authorize('users:manage');
      const token = await revokeToken(pool, request.params.id);
      if (!token) throw notFound('token');
      await request.audit('revoke-token', 'api_token', [token.id]);
      return token;
    });

    const auditQuery = z.strictObject({
      actor: z.uuid().optional(),
      action: z.string().max(60).optional(),
      entity: z.string().max(60).optional(),
      entityId: z.string().max(100).optional(),
      since: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
      until: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
      before: z.coerce.number().int().min(1).optional(),
      limit: z.coerce.number().int().min(1).max(10_000).default(100),
      format: z.enum(['json', 'csv']).default('json'),
    });
    app.get('/audit', { schema: { tags: ['audit'], summary: 'the audit trail, newest first (format=csv to export)', querystring: auditQuery } }, async (request, reply) => {
      request.authorize('audit:read');
      const { actor, before, format, ...rest } = request.query;
      const entries = await listAudit(pool, { ...rest, actorId: actor, beforeId: before });
      await request.audit('read-audit', 'audit_entry', [null]);
      if (format === 'csv') {
        const lines = [csvColumns.join(','), ...entries.map((entry) => csvColumns.map((column) => csvCell(entry[column])).join(','))];
        return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="milap-audit.csv"').send(`${lines.join('\n')}\n`);
      }
      const last = entries.length === rest.limit ? entries[entries.length - 1] : undefined;
      return { items: entries, nextBefore: last ? last.id : null };
    });
  };
}
