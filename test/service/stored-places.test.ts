// A record is matched with the places resolved when it was written (kept beside it in the database),
// not resolved again for every record it meets: the prepared record must be the one its text gives.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateWorld } from '../../fixtures/synth/world.ts';
import { prepareFound, prepareMissing, type ResolvedPlaces } from '../../matchers/prepare.ts';
import { findRecords } from '../../src/records/repository.ts';
import * as records from '../../src/records/service.ts';
import { foundSide, missingSide } from '../../src/records/sides.ts';
import type { FoundChild, MissingReport } from '../../matchers/record.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db.close());

describe('places kept at filing', () => {
  it('prepare every record exactly as its text does: misspelt, state-only and unknown places alike', async () => {
    const world = generateWorld({ missing: 60, found: 60, seed: 17 });
    const filer = { actorId: null, actorName: 'test', requestId: null };
    const ids = { missing: [] as string[], found: [] as string[] };
    for (const report of world.missing) ids.missing.push(((await records.fileRecord({ pool: db.database.pool, boss: db.boss }, missingSide, report, filer)).body as { id: string }).id);
    for (const child of world.found) ids.found.push(((await records.fileRecord({ pool: db.database.pool, boss: db.boss }, foundSide, child, filer)).body as { id: string }).id);
    const reports = await findRecords(db.database.pool, missingSide, ids.missing);
    const children = await findRecords(db.database.pool, foundSide, ids.found);
    expect(reports).toHaveLength(60);
    expect(children).toHaveLength(60);
    let misspelt = 0;
    for (const row of reports) {
      const report = row.record as unknown as MissingReport;
      expect(prepareMissing(report, [], row.places as ResolvedPlaces)).toEqual(prepareMissing(report));
    }
    for (const row of children) {
      const child = row.record as unknown as FoundChild;
      const kept = prepareFound(child, [], row.places as ResolvedPlaces);
      expect(kept).toEqual(prepareFound(child));
      if (child.statedHome?.district && kept.home?.districtName && kept.home.districtName !== child.statedHome.district) misspelt++;
    }
    expect(misspelt).toBeGreaterThan(0); // the world's clerks misspell districts: the fuzzy resolution is what is kept
  });
});
