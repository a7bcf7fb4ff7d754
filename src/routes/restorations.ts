// /api/v1/restorations: the repatriation board (by stage, overdue first), one restoration with its
// steps, moving it forward, and the documents (CWC orders, verification reports) its steps attach.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import { z } from 'zod';
import { pairGuard, pairScope } from '../access/pair-guard.ts';
import { HttpError } from '../http/errors.ts';
import { advanceRestoration, getRestoration, listRestorations, stages } from '../matching/restorations.ts';
import type { PhotoStore } from '../photos/store.ts';

const idParams = z.strictObject({ id: z.uuid({ error: 'must be a restoration id (UUID)' }) });
const documentTypes: [string, Buffer][] = [
  ['application/pdf', Buffer.from('%PDF-')],
  ['image/jpeg', Buffer.from([0xff, 0xd8, 0xff])],
  ['image/png', Buffer.from([0x89, 0x50, 0x4e, 0x47])],
];
const maxDocumentBytes = 15 * 1024 * 1024;

export function restorationRoutes(pool: pg.Pool, boss: PgBoss, store: PhotoStore): FastifyPluginAsyncZod {
  const tags = ['restorations'];
  return async (app) => {
    const listQuery = z.strictObject({
      stage: z.enum(stages).optional(),
      overdue: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
      limit: z.coerce.number().int().min(1).max(500).default(200),
    });
    app.get('/', { schema: { tags, summary: 'restorations in your jurisdiction, most urgent first', querystring: listQuery } }, async (request) => {
      const { jurisdiction } = pairScope(request, 'restoration:read');
      const items = await listRestorations(pool, { ...request.query, jurisdiction });
      await request.audit('list-read', 'restoration', items.map((item) => item.id as string));
      return { items };
    });

    app.get('/:id', { schema: { tags, summary: 'one restoration and its steps', params: idParams } }, async (request) => {
      const restoration = await getRestoration({ pool, boss, guardPair: pairGuard(request, 'restoration:read') }, request.params.id);
      await request.audit('read', 'restoration', [restoration.id]);
      return restoration;
    });

    const stepBody = z.strictObject({
      to: z.enum(stages),
      note: z.string().trim().min(3).max(4000),
      dueDate: z.iso.date().optional(),
      documents: z.array(z.strictObject({ sha256: z.string().regex(/^[0-9a-f]{64}$/), name: z.string().trim().min(1).max(200), contentType: z.string().max(100) })).max(20).optional(),
    });
    app.post('/:id/steps', { schema: { tags, summary: 'move the restoration to its next stage', params: idParams, body: stepBody } }, async (request) => {
      const context = { pool, boss, guardPair: pairGuard(request, 'restoration:advance') };
      const result = await advanceRestoration(context, request.params.id, request.body, request.principal!);
      await request.audit(`advance-${request.body.to}`, 'restoration', [request.params.id]);
      return result;
    });

    app.post('/:id/documents', { schema: { tags, summary: 'upload a document (multipart field "document": PDF, JPEG or PNG) to attach to a step', params: idParams } }, async (request, reply) => {
      await getRestoration({ pool, boss, guardPair: pairGuard(request, 'restoration:advance') }, request.params.id);
      const file = request.isMultipart() ? await request.file({ limits: { fileSize: maxDocumentBytes, files: 1 } }) : undefined;
      if (!file || file.fieldname !== 'document') throw new HttpError(400, 'invalid_request', 'document: send one file in a field named "document"');
      const bytes = await file.toBuffer();
      if (file.file.truncated) throw new HttpError(413, 'document_too_large', `document: larger than ${maxDocumentBytes} bytes`);
      const contentType = documentTypes.find(([, magic]) => bytes.subarray(0, magic.length).equals(magic))?.[0];
      if (!contentType) throw new HttpError(400, 'invalid_document', 'document: only PDF, JPEG and PNG files are accepted');
      const sha256 = await store.put(bytes);
      await request.audit('upload-document', 'restoration', [request.params.id]);
      return reply.status(201).send({ sha256, name: file.filename.slice(0, 200) || 'document', contentType });
    });
  };
}
