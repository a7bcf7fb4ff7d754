// /api/v1/candidates: the matching officers' queue, one pair with both records and its explanation,
// and the decision on it. Repatriation coordinators see the confirmed pairs of their jurisdiction.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import { z } from 'zod';
import { pairGuard, pairScope } from '../access/pair-guard.ts';
import { decodeCursor, encodeCursor } from '../http/cursor.ts';
import { placeFilter } from '../http/place-filter.ts';
import { candidateStates, countCandidates, getCandidate, listCandidates } from '../matching/candidates.ts';
import { decide, decisionHistory, decisions } from '../matching/decisions.ts';
import { HttpError, notFound } from '../http/errors.ts';
import type { PhotoStore } from '../photos/store.ts';

const probability = z.coerce.number().min(0).max(1);
const cursorSchema = z.strictObject({ probability: z.number(), id: z.uuid() });
const idParams = z.strictObject({ id: z.uuid({ error: 'must be a candidate pair id (UUID)' }) });

export function candidateRoutes(pool: pg.Pool, boss: PgBoss, store: PhotoStore): FastifyPluginAsyncZod {
  const tags = ['candidate pairs'];
  return async (app) => {
    const listQuery = z.strictObject({
      state: z.enum(candidateStates).optional(),
      minProbability: probability.optional(),
      maxProbability: probability.optional(),
      district: z.string().trim().min(1).max(120).optional(),
      record: z.uuid({ error: 'must be a record id (UUID)' }).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
      cursor: z.string().max(500).optional(),
    });
    app.get('/', { schema: { tags, summary: 'candidate pairs, most probable first', querystring: listQuery } }, async (request) => {
      const { district, record, cursor, state, ...rest } = request.query;
      const scope = pairScope(request, 'candidate:read');
      const items = await listCandidates(pool, {
        ...rest,
        state: scope.onlyConfirmed ? 'confirmed' : state,
        recordId: record,
        districtId: placeFilter(undefined, district).districtId,
        jurisdiction: scope.jurisdiction,
        after: cursor ? decodeCursor(cursor, cursorSchema) : undefined,
      });
      await request.audit('list-read', 'candidate_pair', items.map((item) => item.id));
      const last = items.length === rest.limit ? items[items.length - 1] : undefined;
      return { items, nextCursor: last ? encodeCursor({ probability: last.probability, id: last.id }) : null };
    });

    app.get('/counts', { schema: { tags, summary: 'how many pairs are in each state, in your jurisdiction' } }, async (request) => {
      const scope = pairScope(request, 'candidate:read');
      const counts = await countCandidates(pool, scope.jurisdiction);
      return { counts: scope.onlyConfirmed ? { confirmed: counts.confirmed ?? 0 } : counts };
    });

    app.get('/:id', { schema: { tags, summary: 'one pair: both records, the explanation of its score, its decisions', params: idParams } }, async (request) => {
      const pair = await getCandidate(pool, request.params.id, pairGuard(request, 'candidate:read'));
      await request.audit('read', 'candidate_pair', [pair.id]);
      await request.audit('read', 'missing_report', [pair.missing.id]);
      await request.audit('read', 'found_child', [pair.found.id]);
      return { ...pair, decisions: await decisionHistory(pool, pair.id) };
    });

    // The officer compares both children's photos, whichever jurisdiction each record is in.
    const photoParams = idParams.extend({ photoId: z.uuid({ error: 'must be a photo id (UUID)' }) });
    const sizeQuery = z.strictObject({ size: z.enum(['full', 'thumbnail']).default('full') });
    app.get('/:id/photos/:photoId', { schema: { tags, summary: 'a photo of either record of the pair', params: photoParams, querystring: sizeQuery } }, async (request, reply) => {
      await getCandidate(pool, request.params.id, pairGuard(request, 'candidate:read'));
      const { rows } = await pool.query<{ sha256: string; thumbnail_sha256: string }>(
        `SELECT p.sha256, p.thumbnail_sha256 FROM photo p JOIN candidate_pair c ON c.id = $1
          WHERE p.id = $2 AND ((p.side = 'missing' AND p.record_id = c.missing_id) OR (p.side = 'found' AND p.record_id = c.found_id))`,
        [request.params.id, request.params.photoId],
      );
      if (!rows[0]) throw notFound('photo');
      const bytes = await store.get(request.query.size === 'thumbnail' ? rows[0].thumbnail_sha256 : rows[0].sha256);
      if (!bytes) throw new HttpError(503, 'photo_store_unavailable', 'the photo is missing from the photo store');
      await request.audit('read-photo', 'candidate_pair', [request.params.id]);
      return reply.type('image/jpeg').header('cache-control', 'private, no-store').send(bytes);
    });

    const decisionBody = z.strictObject({ decision: z.enum(decisions), reason: z.string().trim().min(3).max(2000) });
    app.post('/:id/decision', { schema: { tags, summary: 'confirm, reject, hold, or undo a confirm, with a reason', params: idParams, body: decisionBody } }, async (request) => {
      const user = request.principal!;
      const context = { pool, boss, guardPair: pairGuard(request, 'candidate:decide') };
      const decided = await decide(context, request.params.id, request.body.decision, request.body.reason, user);
      await request.audit(`decide-${request.body.decision}`, 'candidate_pair', [request.params.id]);
      return decided;
    });
  };
}
