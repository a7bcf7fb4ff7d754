// Photos of a record: upload (multipart, field `photo`), list, and the image itself. Photos are
// reached only through their record, so whoever may read the record may see its photos, no one else.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError } from '../http/errors.ts';
import { photoLimits } from '../photos/ingest.ts';
import { attachPhoto, listPhotos, readPhoto, type PhotosContext } from '../photos/service.ts';
import type { SideDefinition } from '../records/sides.ts';
import { recordGuard } from '../access/guard.ts';
import { idParams } from './records.ts';

const photoParams = idParams.extend({ photoId: z.uuid({ error: 'must be a photo id (UUID)' }) });

export function photoRoutes(side: SideDefinition, context: PhotosContext): FastifyPluginAsyncZod {
  const tags = [side.noun];
  return async (app) => {
    app.post('/:id/photos', { schema: { tags, summary: 'upload a photo (multipart field "photo")', params: idParams, consumes: ['multipart/form-data'] } }, async (request, reply) => {
      const ctx = { ...context, guard: recordGuard(request, `${side.side}:write`) };
      if (!request.isMultipart()) throw new HttpError(415, 'unsupported_media_type', 'send the photo as multipart/form-data in a field named "photo"');
      const file = await request.file({ limits: { fileSize: photoLimits.maxBytes, files: 1 } });
      if (!file || file.fieldname !== 'photo') {
        throw new HttpError(400, 'invalid_request', 'photo: send one file in a field named "photo"', { problems: [{ field: 'photo', reason: 'missing' }] });
      }
      const bytes = await file.toBuffer();
      if (file.file.truncated) throw new HttpError(413, 'photo_too_large', `photo: larger than ${photoLimits.maxBytes} bytes`);
      const result = await attachPhoto(ctx, side, request.params.id, bytes, request.principal!.username);
      await request.audit('attach-photo', side.table, [request.params.id]);
      return reply.status(result.created ? 201 : 200).send(result.photo);
    });

    app.get('/:id/photos', { schema: { tags, summary: 'the photos of a record', params: idParams } }, async (request) => {
      const items = await listPhotos({ ...context, guard: recordGuard(request, `${side.side}:read`) }, side, request.params.id);
      await request.audit('list-photos', side.table, [request.params.id]);
      return { items };
    });

    const sizeQuery = z.strictObject({ size: z.enum(['full', 'thumbnail']).default('full') });
    app.get('/:id/photos/:photoId', { schema: { tags, summary: 'a photo (JPEG, metadata stripped)', params: photoParams, querystring: sizeQuery } }, async (request, reply) => {
      const ctx = { ...context, guard: recordGuard(request, `${side.side}:read`) };
      const bytes = await readPhoto(ctx, side, request.params.id, request.params.photoId, request.query.size === 'thumbnail');
      await request.audit('read-photo', side.table, [request.params.id]);
      return reply.type('image/jpeg').header('cache-control', 'private, no-store').send(bytes);
    });
  };
}
