// Photos as evidence in the service: an upload is hashed (PDQ), the match job finds the other
// side's records carrying the same photograph however it was copied, whatever their names say,
// and scores the pair with the photo in the explanation; a photo alone never makes it likely.
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/matching/engine.ts';
import { matchRecord } from '../../src/matching/match-job.ts';
import { photoNeighbourhoodOf } from '../../src/matching/photo-index.ts';
import { explanationOfStored, photoHashesOf, type StoredExplanation } from '../../src/matching/store.ts';
import { multipart, useTestApp } from '../helpers/app.ts';
import { fullFoundChild, fullMissingReport } from '../helpers/people.ts';
import { forwardedCopy, scene } from '../helpers/pictures.ts';

const t = useTestApp();
const engine = createEngine();
const settings = { floor: 0.001, topK: 10 };
const urlOf = { missing: '/api/v1/missing-reports', found: '/api/v1/found-children' } as const;

async function file(side: 'missing' | 'found', record: object): Promise<string> {
  const answer = await t.inject({ method: 'POST', url: urlOf[side], payload: record });
  expect(answer.statusCode, answer.body).toBe(201);
  return answer.json().id;
}

async function upload(side: 'missing' | 'found', id: string, bytes: Buffer) {
  const answer = await t.inject({ method: 'POST', url: `${urlOf[side]}/${id}/photos`, ...multipart(bytes) });
  expect(answer.statusCode, answer.body).toBe(201);
  return answer.json() as { pdq: string | null; pdqQuality: number | null };
}

async function match(side: 'missing' | 'found', id: string) {
  const { rows } = await t.db.database.pool.query(`SELECT version FROM ${side === 'missing' ? 'missing_report' : 'found_child'} WHERE id = $1`, [id]);
  return matchRecord(t.db.database.pool, engine, settings, { side, id, version: rows[0].version });
}

async function pairOf(missingId: string, foundId: string) {
  const { rows } = await t.db.database.pool.query<{ probability: number; explanation: StoredExplanation }>(
    'SELECT c.probability, e.explanation FROM candidate_pair c JOIN candidate_explanation e ON e.pair_id = c.id WHERE c.missing_id = $1 AND c.found_id = $2',
    [missingId, foundId],
  );
  return rows[0] && { ...rows[0], explanation: explanationOfStored(rows[0].explanation) };
}

// A child who could say nothing of herself: only the photograph can lead to the report.
const silentChild = () =>
  fullFoundChild({ name: null, aliases: [], sex: 'unknown', apparentAgeYears: null, ageRangeYears: null, fatherName: null, motherName: null, identificationMarks: null, languages: [], foundAt: null, statedHome: null });

describe('photo evidence in the match job', () => {
  it('hashes an upload: a picture gets a usable PDQ hash, a flat one is marked as no evidence', async () => {
    const id = await file('missing', fullMissingReport());
    const photo = await upload('missing', id, await scene(61));
    expect(photo.pdq).toMatch(/^[0-9a-f]{64}$/);
    expect(photo.pdqQuality).toBeGreaterThanOrEqual(50);
    const flat = await upload('missing', id, await sharp({ create: { width: 200, height: 200, channels: 3, background: '#8a8a8a' } }).png().toBuffer());
    expect(flat.pdqQuality).toBeLessThan(50);
    // Only the picture's hash is evidence the match job will look at.
    expect((await photoHashesOf(t.db.database.pool, 'missing', id)).map((hash) => hash.hash)).toEqual([photo.pdq]);
  });

  it("finds the report whose family photo a shelter's forwarded copy matches, though nothing else is known", async () => {
    const family = await scene(62);
    const report = await file('missing', fullMissingReport());
    await upload('missing', report, family);
    await match('missing', report);
    const child = await file('found', silentChild());
    await match('found', child);
    expect(await pairOf(report, child)).toBeUndefined();

    // The shelter photographs the poster: mirrored, turned, shrunk, a poor JPEG.
    await upload('found', child, await sharp(await forwardedCopy(family)).rotate(270).toBuffer());
    await match('found', child);
    expect(await photoNeighbourhoodOf(t.db.database.pool).recordsNear(t.db.database.pool, 'missing', await photoHashesOf(t.db.database.pool, 'found', child))).toEqual([report]);
    const pair = await pairOf(report, child);
    expect(pair).toBeDefined();
    expect(pair!.explanation.find((entry) => entry.comparison === 'photo')!.level).toMatch(/^same_photo/);
    expect(pair!.probability).toBeLessThan(0.5);
  });

  it('works the other way round: a report given the photo later finds the child registered with it', async () => {
    const family = await scene(63);
    const child = await file('found', silentChild());
    await upload('found', child, await forwardedCopy(family));
    await match('found', child);
    const report = await file('missing', fullMissingReport());
    await match('missing', report);
    expect(await pairOf(report, child)).toBeUndefined();
    await upload('missing', report, family);
    await match('missing', report);
    expect(await pairOf(report, child)).toBeDefined();
  });

  it('raises a pair the names already support, and a different picture does not pair strangers', async () => {
    const family = await scene(64);
    const report = await file('missing', fullMissingReport());
    const child = await file('found', fullFoundChild());
    await match('missing', report);
    await match('found', child);
    const before = (await pairOf(report, child))!;
    await upload('missing', report, family);
    await upload('found', child, await forwardedCopy(family));
    await match('found', child);
    const after = (await pairOf(report, child))!;
    expect(after.explanation.find((entry) => entry.comparison === 'photo')).toMatchObject({ level: 'same_photo' });
    expect(after.probability).toBeGreaterThan(before.probability);

    const stranger = await file('found', silentChild());
    await upload('found', stranger, await scene(65));
    await match('found', stranger);
    expect(await pairOf(report, stranger)).toBeUndefined();
  });

  // Two transactions at once need a server (PGlite has one connection).
  it.skipIf(!process.env.DATABASE_URL)('a photo whose transaction commits late is still found by a worker that looked in between', async () => {
    const pool = t.db.database.pool;
    const neighbourhood = photoNeighbourhoodOf(pool);
    const [early, late] = [await scene(66), await scene(67)];
    const { pdqHashOfImage } = await import('../../src/photos/pdq-image.ts');
    const [earlyHash, lateHash] = [await pdqHashOfImage(early), await pdqHashOfImage(late)];
    const [earlyRecord, lateRecord] = [await file('missing', fullMissingReport()), await file('missing', fullMissingReport())];
    await Promise.all([match('missing', earlyRecord), match('missing', lateRecord)]);
    const insert = (client: Pick<typeof pool, 'query'>, record: string, hash: typeof earlyHash) =>
      client.query(
        `INSERT INTO photo (side, record_id, sha256, thumbnail_sha256, width, height, bytes, source_format, uploaded_by, pdq, pdq_quality, pdq_variants)
         VALUES ('missing', $1, $2, $2, 480, 360, 1000, 'png', 'test', $2, $3, $4)`,
        [record, hash.hash, hash.quality, Object.values(hash.variants)],
      );
    const slow = await pool.connect();
    try {
      await slow.query('BEGIN');
      await insert(slow, lateRecord, lateHash); // begun first, committed last
      await insert(pool, earlyRecord, earlyHash);
      const asked = (hash: typeof earlyHash) => neighbourhood.recordsNear(pool, 'missing', [{ hash: hash.hash, variants: Object.values(hash.variants) }]);
      expect(await asked(earlyHash)).toEqual([earlyRecord]);
      expect(await asked(lateHash)).toEqual([]);
      await slow.query('COMMIT');
      expect(await asked(lateHash)).toEqual([lateRecord]);
    } finally {
      slow.release();
    }
  });
});
