// Attaching photos to records and reading them back. The bytes go to the photo store first; only
// then, in one transaction, the photo's row and the record's match job: a store that cannot write
// leaves nothing half-saved.
import type pg from 'pg';
import type { RecordPlace } from '../access/jurisdiction.ts';
import type { PgBoss } from 'pg-boss';
import { withTransaction } from '../db/database.ts';
import { HttpError, notFound } from '../http/errors.ts';
import { sendMatchJob } from '../jobs/queue.ts';
import { findRecord } from '../records/repository.ts';
import type { SideDefinition } from '../records/sides.ts';
import { dihedralNames } from '../../matchers/photos/pdq.ts';
import { normalisePhoto } from './ingest.ts';
import { pdqHashOfImage } from './pdq-image.ts';
import { PhotoStoreError, type PhotoStore } from './store.ts';

export interface PhotosContext {
  pool: pg.Pool;
  boss: PgBoss;
  store: PhotoStore;
  /** Refuses a record the acting user may not touch (see RecordsContext). */
  guard?: (place: RecordPlace) => void;
}

async function guardedRecord(ctx: PhotosContext, side: SideDefinition, recordId: string) {
  const record = await findRecord(ctx.pool, side, recordId);
  if (!record) throw notFound(side.noun);
  ctx.guard?.(record);
  return record;
}

export interface Photo {
  id: string;
  sha256: string;
  width: number;
  height: number;
  bytes: number;
  sourceFormat: string;
  /** The PDQ perceptual hash (64 hex characters) and its quality, 0..100; under 50 it is no evidence. */
  pdq: string | null;
  pdqQuality: number | null;
  uploadedBy: string;
  uploadedAt: string;
}

const photoColumns = `id, sha256, width, height, bytes, source_format AS "sourceFormat", pdq, pdq_quality AS "pdqQuality", uploaded_by AS "uploadedBy",
  to_char(uploaded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "uploadedAt"`;

async function storeBytes(store: PhotoStore, bytes: Buffer): Promise<string> {
  try {
    return await store.put(bytes);
  } catch (error) {
    if (error instanceof PhotoStoreError) throw new HttpError(503, 'photo_store_unavailable', `${error.message}; the photo was not saved`);
    throw error;
  }
}

export async function attachPhoto(ctx: PhotosContext, side: SideDefinition, recordId: string, upload: Buffer, actor: string): Promise<{ created: boolean; photo: Photo }> {
  await guardedRecord(ctx, side, recordId);
  const photo = await normalisePhoto(upload);
  // The PDQ hash of the upload as sent (turned upright), as `milap link` hashes a file: the same
  // picture gives the same hash on both paths. Match workers pick it up by its transaction.
  const pdq = await pdqHashOfImage(upload);
  const sha256 = await storeBytes(ctx.store, photo.jpeg);
  const thumbnailSha256 = await storeBytes(ctx.store, photo.thumbnail);
  return withTransaction(ctx.pool, async (tx) => {
    const record = await findRecord(tx, side, recordId, true);
    if (!record) throw notFound(side.noun);
    const inserted = await tx.query<Photo>(
      `INSERT INTO photo (side, record_id, sha256, thumbnail_sha256, width, height, bytes, source_format, uploaded_by, pdq, pdq_quality, pdq_variants)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (side, record_id, sha256) DO NOTHING RETURNING ${photoColumns}`,
      [
        side.side, recordId, sha256, thumbnailSha256, photo.width, photo.height, photo.jpeg.length, photo.sourceFormat, actor,
        pdq.hash, pdq.quality, dihedralNames.map((name) => pdq.variants[name]),
      ],
    );
    if (inserted.rows[0]) {
      await sendMatchJob(ctx.boss, tx, { side: side.side, id: recordId, version: record.version });
      return { created: true, photo: inserted.rows[0] };
    }
    const existing = await tx.query<Photo>(`SELECT ${photoColumns} FROM photo WHERE side = $1 AND record_id = $2 AND sha256 = $3`, [side.side, recordId, sha256]);
    return { created: false, photo: existing.rows[0]! };
  });
}

export async function listPhotos(ctx: PhotosContext, side: SideDefinition, recordId: string): Promise<Photo[]> {
  await guardedRecord(ctx, side, recordId);
  const { rows } = await ctx.pool.query<Photo>(`SELECT ${photoColumns} FROM photo WHERE side = $1 AND record_id = $2 ORDER BY uploaded_at, id`, [side.side, recordId]);
  return rows;
}

/** The stored JPEG (or its thumbnail) of a photo that belongs to this record. */
export async function readPhoto(ctx: PhotosContext, side: SideDefinition, recordId: string, photoId: string, thumbnail: boolean): Promise<Buffer> {
  await guardedRecord(ctx, side, recordId);
  const { rows } = await ctx.pool.query<{ sha256: string; thumbnail_sha256: string }>(
    'SELECT sha256, thumbnail_sha256 FROM photo WHERE id = $1 AND side = $2 AND record_id = $3',
    [photoId, side.side, recordId],
  );
  const photo = rows[0];
  if (!photo) throw notFound('photo');
  const bytes = await ctx.store.get(thumbnail ? photo.thumbnail_sha256 : photo.sha256);
  if (!bytes) throw new HttpError(503, 'photo_store_unavailable', 'the photo is missing from the photo store');
  return bytes;
}
