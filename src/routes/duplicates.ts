// /api/v1/duplicates: possible duplicates within one side (two reports of one child, or one child
// registered by two shelters) for matching officers to merge, tell apart, or unmerge. Seen by whoever
// sees either record's jurisdiction, as candidate pairs are.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import { z } from 'zod';
import { outsideJurisdiction } from '../access/guard.ts';
import { contains, type RecordPlace } from '../access/jurisdiction.ts';
import type { Action } from '../access/rules.ts';
import { decodeCursor, encodeCursor } from '../http/cursor.ts';
import { decideDuplicate, duplicateDecisions, duplicateStates, getDuplicate, listDuplicates } from '../matching/duplicates.ts';
import type { FastifyRequest } from 'fastify';

const idParams = z.strictObject({ id: z.uuid({ error: 'must be a duplicate pair id (UUID)' }) });
const cursorSchema = z.strictObject({ probability: z.number(), id: z.uuid() });

function duplicateGuard(request: FastifyRequest, action: Action) {
  const reach = request.authorize(action);
  const user = request.principal!;
  return (a: RecordPlace, b: RecordPlace) => {
    if (reach !== 'all' && !contains(user, a) && !contains(user, b)) throw outsideJurisdiction();
  };
}

export function duplicateRoutes(pool: pg.Pool, boss: PgBoss): FastifyPluginAsyncZod {
  const tags = ['duplicates'];
  return async (app) => {
    const listQuery = z.strictObject({
      side: z.enum(['missing', 'found']).optional(),
      state: z.enum(duplicateStates).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
      cursor: z.string().max(500).optional(),
    });
    app.get('/', { schema: { tags, summary: 'possible duplicates within one side, most probable first', querystring: listQuery } }, async (request) => {
      const reach = request.authorize('candidate:read');
      if (reach === 'confirmed') throw outsideJurisdiction();
      const { cursor, ...rest } = request.query;
      const items = await listDuplicates(pool, {
        ...rest,
        jurisdiction: reach === 'all' ? undefined : request.principal!,
        after: cursor ? decodeCursor(cursor, cursorSchema) : undefined,
      });
      await request.audit('list-read', 'duplicate_pair', items.map((item) => item.id));
      const last = items.length === rest.limit ? items[items.length - 1] : undefined;
      return { items, nextCursor: last ? encodeCursor({ probability: last.probability, id: last.id }) : null };
    });

    app.get('/:id', { schema: { tags, summary: 'one possible duplicate: both records, the explanation of its score, its decisions', params: idParams } }, async (request) => {
      if (request.authorize('candidate:read') === 'confirmed') throw outsideJurisdiction();
      const pair = await getDuplicate(pool, request.params.id, duplicateGuard(request, 'candidate:read'));
      await request.audit('read', 'duplicate_pair', [pair.id]);
      return pair;
    });

    const decisionBody = z.strictObject({
      decision: z.enum(duplicateDecisions),
      reason: z.string().trim().min(3).max(2000),
      keep: z.uuid({ error: 'must be the id of the record to keep' }).optional(),
    }).refine((body) => body.decision !== 'merge' || body.keep, { path: ['keep'], message: 'a merge names the record to keep' });
    app.post('/:id/decision', { schema: { tags, summary: 'merge (naming the record to keep), not a duplicate, or unmerge, with a reason', params: idParams, body: decisionBody } }, async (request) => {
      const user = request.principal!;
      const decided = await decideDuplicate({ pool, boss, guard: duplicateGuard(request, 'candidate:decide') }, request.params.id, request.body.decision, request.body.reason, user, request.body.keep);
      await request.audit(`duplicate-${request.body.decision}`, 'duplicate_pair', [request.params.id]);
      return decided;
    });
  };
}
