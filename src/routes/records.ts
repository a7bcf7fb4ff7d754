// /api/v1/missing-reports and /api/v1/found-children: one set of routes, registered once per side.
// Police work their jurisdiction's missing reports, shelters their found children (src/access/rules.ts).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listScope, recordGuard } from '../access/guard.ts';
import { decodeCursor, encodeCursor } from '../http/cursor.ts';
import { placeFilter } from '../http/place-filter.ts';
import * as records from '../records/service.ts';
import type { SideDefinition } from '../records/sides.ts';

export const idParams = z.strictObject({ id: z.uuid({ error: 'must be a record id (UUID)' }) });
const writeHeaders = z.object({
  'idempotency-key': z.string().min(1).max(200).optional(),
  'if-match': z.string().regex(/^"?\d+"?$/, 'must be the record version you read').optional(),
});
const versionOf = (ifMatch: string | undefined) => (ifMatch === undefined ? undefined : Number(ifMatch.replaceAll('"', '')));
const cursorSchema = z.strictObject({ createdAt: z.iso.datetime(), id: z.uuid() });

export function recordRoutes(side: SideDefinition, context: records.RecordsContext): FastifyPluginAsyncZod {
  const tags = [side.noun];
  const read = `${side.side}:read` as const;
  const write = `${side.side}:write` as const;
  return async (app) => {
    app.post('/', { schema: { tags, summary: `file a ${side.noun}`, body: side.schema, headers: writeHeaders } }, async (request, reply) => {
      const ctx = { ...context, guard: recordGuard(request, write) };
      const user = request.principal!;
      const audit = { actorId: user.id, actorName: user.username, requestId: request.id };
      const answer = await records.fileRecord(ctx, side, request.body, audit, request.headers['idempotency-key']);
      return reply.status(answer.statusCode).send(answer.body);
    });

    app.get('/:id', { schema: { tags, summary: `read a ${side.noun}`, params: idParams } }, async (request) => {
      const stored = await records.getRecord({ ...context, guard: recordGuard(request, read) }, side, request.params.id);
      await request.audit('read', side.table, [stored.id]);
      return stored;
    });

    app.get('/:id/history', { schema: { tags, summary: 'every version: who changed what, when', params: idParams } }, async (request) => {
      const versions = await records.recordHistory({ ...context, guard: recordGuard(request, read) }, side, request.params.id);
      await request.audit('read-history', side.table, [request.params.id]);
      return { versions };
    });

    app.patch('/:id', { schema: { tags, summary: `update a ${side.noun}`, params: idParams, body: side.patchSchema, headers: writeHeaders } }, async (request) => {
      const ctx = { ...context, guard: recordGuard(request, write) };
      const stored = await records.updateRecord(ctx, side, request.params.id, request.body, request.principal!.username, versionOf(request.headers['if-match']));
      await request.audit('update', side.table, [stored.id]);
      return stored;
    });

    const statusBody = z.strictObject({ status: z.enum(side.statuses as [string, ...string[]]), reason: z.string().trim().min(1).max(1000) });
    app.post('/:id/status', { schema: { tags, summary: 'change status, with a reason', params: idParams, body: statusBody, headers: writeHeaders } }, async (request) => {
      const ctx = { ...context, guard: recordGuard(request, write) };
      const { status, reason } = request.body;
      const stored = await records.changeStatus(ctx, side, request.params.id, status, reason, request.principal!.username, versionOf(request.headers['if-match']));
      await request.audit('change-status', side.table, [stored.id]);
      return stored;
    });

    const listQuery = z.strictObject({
      state: z.string().trim().min(1).max(120).optional(),
      district: z.string().trim().min(1).max(120).optional(),
      status: z.enum(side.statuses as [string, ...string[]]).optional(),
      since: z.iso.date().optional(),
      until: z.iso.date().optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
      cursor: z.string().max(500).optional(),
    });
    app.get('/', { schema: { tags, summary: `list ${side.noun} records, newest first`, querystring: listQuery } }, async (request) => {
      const { state, district, cursor, ...rest } = request.query;
      const rows = await records.listRecords(context, side, {
        ...rest,
        ...placeFilter(state, district),
        jurisdiction: listScope(request, read),
        after: cursor ? decodeCursor(cursor, cursorSchema) : undefined,
      });
      await request.audit('list-read', side.table, rows.map((row) => row.id));
      const last = rows.length === rest.limit ? rows[rows.length - 1] : undefined;
      return { items: rows, nextCursor: last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null };
    });
  };
}
