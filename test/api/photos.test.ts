// Photos: type decided by content, limits against bombs, EXIF orientation applied and every bit of
// metadata (GPS above all) stripped before storing; photos served only through their record.
import sharp from 'sharp';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { multipart, useTestApp } from '../helpers/app.ts';
import { fullFoundChild, fullMissingReport } from '../helpers/people.ts';

const t = useTestApp();

/** A synthetic picture (no person in it) with EXIF orientation 6 and GPS coordinates. */
async function photoWithGps(): Promise<Buffer> {
  const picture = await sharp({ create: { width: 320, height: 200, channels: 3, background: { r: 30, g: 120, b: 200 } } })
    .composite([{ input: Buffer.from('<svg width="320" height="200"><circle cx="80" cy="60" r="40" fill="orange"/></svg>') }])
    .jpeg()
    .toBuffer();
  return sharp(picture)
    .withMetadata({ orientation: 6 })
    .withExifMerge({ IFD0: { Make: 'PhoneCo' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '23/1 47/1 30/1', GPSLongitudeRef: 'E', GPSLongitude: '86/1 25/1 0/1' } })
    .jpeg()
    .toBuffer();
}

async function newRecord(url: string, body: object): Promise<string> {
  return (await t.inject({ method: 'POST', url, payload: body })).json().id;
}

describe('photo upload', () => {
  it('stores an upright JPEG with no EXIF or GPS left, and serves it through its record', async () => {
    const id = await newRecord('/api/v1/missing-reports', fullMissingReport());
    const original = await photoWithGps();
    expect(await sharp(original).metadata()).toMatchObject({ orientation: 6 });
    expect(original.includes(Buffer.from('PhoneCo'))).toBe(true);
    const uploaded = await t.inject({ method: 'POST', url: `/api/v1/missing-reports/${id}/photos`, ...multipart(original) });
    expect(uploaded.statusCode, uploaded.body).toBe(201);
    const photo = uploaded.json();
    // Orientation 6 means the camera was turned: the stored picture is 200 wide and 320 high.
    expect(photo).toMatchObject({ width: 200, height: 320, sourceFormat: 'jpeg' });
    const served = await t.inject({ method: 'GET', url: `/api/v1/missing-reports/${id}/photos/${photo.id}` });
    expect(served.headers['content-type']).toBe('image/jpeg');
    const stored = await sharp(served.rawPayload).metadata();
    expect(stored.exif).toBeUndefined();
    expect(stored.orientation).toBeUndefined();
    expect(served.rawPayload.includes(Buffer.from('PhoneCo'))).toBe(false);
    const thumbnail = await t.inject({ method: 'GET', url: `/api/v1/missing-reports/${id}/photos/${photo.id}?size=thumbnail` });
    expect((await sharp(thumbnail.rawPayload).metadata()).height).toBe(256);
  });

  it('the same photo twice is one photo; another record cannot reach it', async () => {
    const id = await newRecord('/api/v1/found-children', fullFoundChild());
    const other = await newRecord('/api/v1/found-children', fullFoundChild());
    const bytes = await photoWithGps();
    const first = await t.inject({ method: 'POST', url: `/api/v1/found-children/${id}/photos`, ...multipart(bytes) });
    const again = await t.inject({ method: 'POST', url: `/api/v1/found-children/${id}/photos`, ...multipart(bytes) });
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(first.json().id);
    const list = await t.inject({ method: 'GET', url: `/api/v1/found-children/${id}/photos` });
    expect(list.json().items).toHaveLength(1);
    const elsewhere = await t.inject({ method: 'GET', url: `/api/v1/found-children/${other}/photos/${first.json().id}` });
    expect(elsewhere.statusCode).toBe(404);
  });

  it('hostile files are refused cleanly and nothing is saved', async () => {
    const id = await newRecord('/api/v1/missing-reports', fullMissingReport());
    const good = await photoWithGps();
    const bomb = await sharp({ create: { width: 12000, height: 12000, channels: 3, background: '#000' } }).png({ compressionLevel: 9 }).toBuffer();
    const cases: [string, Buffer, number][] = [
      ['a text file named .jpg', Buffer.from('this is not a picture at all, just words'), 400],
      ['a truncated JPEG', good.subarray(0, Math.floor(good.length / 2)), 400],
      ['a decompression bomb (144 megapixels)', bomb, 413],
    ];
    for (const [label, bytes, status] of cases) {
      const answer = await t.inject({ method: 'POST', url: `/api/v1/missing-reports/${id}/photos`, ...multipart(bytes) });
      expect(answer.statusCode, `${label}: ${answer.body}`).toBe(status);
      expect(answer.json().message, label).toMatch(/^photo: /);
    }
    const list = await t.inject({ method: 'GET', url: `/api/v1/missing-reports/${id}/photos` });
    expect(list.json().items).toEqual([]);
  });

  it('an unwritable photo store is a clear 503 and leaves no photo row', async () => {
    const id = await newRecord('/api/v1/missing-reports', fullMissingReport());
    // A plain file where the store's directory should be: unwritable even for root.
    renameSync(t.photoDir, `${t.photoDir}.away`);
    writeFileSync(t.photoDir, 'not a directory');
    try {
      const bytes = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#3a7' } }).jpeg().toBuffer();
      const answer = await t.inject({ method: 'POST', url: `/api/v1/missing-reports/${id}/photos`, ...multipart(bytes) });
      expect(answer.statusCode).toBe(503);
      expect(answer.json().message).toContain('not saved');
    } finally {
      rmSync(t.photoDir);
      renameSync(`${t.photoDir}.away`, t.photoDir);
    }
    const { rows } = await t.db.database.pool.query('SELECT 1 FROM photo WHERE record_id = $1', [id]);
    expect(rows).toEqual([]);
  });
});
