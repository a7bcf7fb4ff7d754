// Rescue drives (Operation Smile in January, Muskaan in July): create one, register its children in
// bulk (`milap import --found FILE --drive ID`), and follow it: registered, matched so far by the
// background matching, likely pairs, confirmed, restored.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type pg from 'pg';
import { z } from 'zod';
import { resolvePlace } from '../../matchers/places.ts';
import { notFound, ValidationError } from '../http/errors.ts';

const driveColumns = `id, name, starts_on::text AS "startsOn", ends_on::text AS "endsOn", districts, state_code AS "stateCode", created_by AS "createdBy"`;

export function driveRoutes(pool: pg.Pool): FastifyPluginAsyncZod {
  const tags = ['rescue drives'];
  return async (app) => {
    const driveBody = z
      .strictObject({
        name: z.string().trim().min(3).max(200),
        startsOn: z.iso.date(),
        endsOn: z.iso.date(),
        state: z.string().trim().min(1).max(120).optional(),
        districts: z.array(z.string().trim().min(1).max(120)).max(100).default([]),
      })
      .refine((d) => d.endsOn >= d.startsOn, { path: ['endsOn'], message: 'must not be before startsOn' });
    app.post('/', { schema: { tags, summary: 'create a rescue drive', body: driveBody } }, async (request, reply) => {
      request.authorize('found:write');
      const { name, startsOn, endsOn, state, districts } = request.body;
      const resolved = districts.map((district) => resolvePlace({ district, state: state ?? null }));
      const unknown = districts.filter((_d, i) => !resolved[i]!.districtId);
      if (unknown.length) throw new ValidationError(unknown.map((d) => ({ field: 'districts', reason: `unknown district '${d}'` })));
      const stateCode = state ? resolvePlace({ state }).stateCode : (resolved[0]?.stateCode ?? null);
      const { rows } = await pool.query(
        `INSERT INTO rescue_drive (name, starts_on, ends_on, districts, state_code, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${driveColumns}`,
        [name, startsOn, endsOn, resolved.map((r) => r.districtId), stateCode, request.principal!.username],
      );
      await request.audit('create', 'rescue_drive', [rows[0].id]);
      return reply.status(201).send(rows[0]);
    });

    app.get('/', { schema: { tags, summary: 'rescue drives, newest first' } }, async (request) => {
      request.authorize('found:read');
      return { items: (await pool.query(`SELECT ${driveColumns} FROM rescue_drive ORDER BY starts_on DESC, created_at DESC`)).rows };
    });

    const idParams = z.strictObject({ id: z.uuid() });
    app.get('/:id', { schema: { tags, summary: 'a drive and its report: registered, matched so far, likely pairs, confirmed, restored', params: idParams } }, async (request) => {
      request.authorize('found:read');
      const drive = (await pool.query(`SELECT ${driveColumns} FROM rescue_drive WHERE id = $1`, [request.params.id])).rows[0];
      if (!drive) throw notFound('rescue drive');
      const { rows } = await pool.query(
        `SELECT count(*)::int AS registered,
                count(*) FILTER (WHERE s.version = f.version)::int AS "matchedSoFar",
                count(*) FILTER (WHERE EXISTS (SELECT 1 FROM candidate_pair c WHERE c.found_id = f.id AND c.state = 'pending' AND c.probability >= 0.5))::int AS "withLikelyPair",
                count(*) FILTER (WHERE EXISTS (SELECT 1 FROM candidate_pair c WHERE c.found_id = f.id AND c.state = 'confirmed'))::int AS confirmed,
                count(*) FILTER (WHERE f.status = 'restored')::int AS restored
           FROM found_child f LEFT JOIN match_subject s ON s.side = 'found' AND s.record_id = f.id
          WHERE f.drive_id = $1`,
        [drive.id],
      );
      await request.audit('read', 'rescue_drive', [drive.id]);
      return { ...drive, report: rows[0] };
    });
  };
}
