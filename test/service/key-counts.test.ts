// The keys a worker reads ahead to be too common to admit a pair: exactly those more than ten times
// their limit of reports carry, and leaving them out of a job's search changes none of its pairs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyLimit, keyReach, keyTooCommon } from '../../matchers/blocking.ts';
import { createEngine } from '../../src/matching/engine.ts';
import { liveKeysOf } from '../../src/matching/live-keys.ts';
import { matchRecord, warmKeyCounts } from '../../src/matching/match-job.ts';
import { TooCommonKeys, warmTooCommonKeys } from '../../src/matching/store.ts';
import * as records from '../../src/records/service.ts';
import { foundSide, missingSide } from '../../src/records/sides.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { fullFoundChild, fullMissingReport } from '../helpers/people.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db.close());

const filer = { actorId: null, actorName: 'test', requestId: null };

/** Makes `count` reports (key rows only, as the match worker writes them) carry `key`, looked for or not. */
async function carriers(key: string, count: number, active = true): Promise<void> {
  await db.database.pool.query(
    `INSERT INTO match_key (side, key, record_id, born_from, born_to, active) SELECT 'missing', $1, gen_random_uuid(), NULL, NULL, $3 FROM generate_series(1, $2)`,
    [key, count, active],
  );
}

async function pairs(): Promise<string[]> {
  const { rows } = await db.database.pool.query(`SELECT missing_id || ' ' || found_id || ' ' || round(pair_probability::numeric, 9) AS line FROM candidate_pair ORDER BY 1`);
  return rows.map((row) => row.line);
}

describe('keys too common to admit a pair', () => {
  it('are those carried by more than keyReach times their limit of reports, read in one pass', async () => {
    await carriers('ds:zzq:UP', keyReach * keyLimit('ds:zzq:UP') + 1);
    await carriers('ds:zzr:UP', keyReach * keyLimit('ds:zzr:UP'));
    await carriers('n:zzq', keyReach * keyLimit('n:zzq') + 1);
    await carriers('n:zzr', keyReach * keyLimit('n:zzr'));
    const holder = new TooCommonKeys();
    await warmTooCommonKeys(db.database.pool, holder);
    expect(['ds:zzq:UP', 'ds:zzr:UP', 'n:zzq', 'n:zzr'].filter((key) => holder.has(key))).toEqual(['ds:zzq:UP', 'n:zzq']);
  });

  it('left out of a job, change none of its pairs', async () => {
    const ctx = { pool: db.database.pool, boss: db.boss };
    const engine = createEngine();
    const settings = { floor: 0.001, topK: 10 };
    const report = ((await records.fileRecord(ctx, missingSide, fullMissingReport(), filer)).body as { id: string }).id;
    const child = ((await records.fileRecord(ctx, foundSide, fullFoundChild(), filer)).body as { id: string }).id;
    await matchRecord(db.database.pool, engine, settings, { side: 'missing', id: report, version: 1 });
    const { rows } = await db.database.pool.query(`SELECT version, record FROM found_child WHERE id = $1`, [child]);
    const keys = engine.prepare('found', child, rows[0].version, rows[0].record).keys;
    // Half the child's keys become too common: the search refuses them with the list or without it.
    const common = keys.filter((_, n) => n % 2 === 0);
    for (const key of common) await carriers(key, keyReach * keyLimit(key) + 1);

    await matchRecord(db.database.pool, engine, settings, { side: 'found', id: child, version: 1 });
    const counted = await pairs();
    expect(counted.length).toBeGreaterThan(0);
    expect((await warmKeyCounts(db.database.pool))!.tooCommon).toBeGreaterThanOrEqual(new Set(common).size);
    expect(await warmKeyCounts(db.database.pool, 60_000)).toBeNull(); // just read: not read again
    await matchRecord(db.database.pool, engine, settings, { side: 'found', id: child, version: 1 });
    expect(await pairs()).toEqual(counted);
  });

  it('are closed for good: a record matched since writes no row for them but for its name keys, and they stay closed when their carriers go', async () => {
    const pool = db.database.pool;
    const ctx = { pool, boss: db.boss };
    const engine = createEngine();
    const settings = { floor: 0.001, topK: 10 };
    const file = async () => ((await records.fileRecord(ctx, missingSide, fullMissingReport({ name: 'Zuhaira Qasmi' }), filer)).body as { id: string }).id;
    const first = await file();
    await matchRecord(pool, engine, settings, { side: 'missing', id: first, version: 1 });
    const keysOf = async (id: string) => (await pool.query<{ key: string }>('SELECT key FROM match_key WHERE record_id = $1 ORDER BY key', [id])).rows.map((row) => row.key);
    const carried = await keysOf(first);
    const typo = carried.find((key) => key.startsWith('d:'))!;
    const name = carried.find((key) => key.startsWith('n:'))!;
    const place = carried.find((key) => key.startsWith('h:'))!;
    expect([typo, name, place].every(Boolean)).toBe(true);
    for (const key of [typo, name]) await carriers(key, keyReach * keyLimit(key) + 1);
    await warmKeyCounts(pool);

    // A second report of the same child: the same keys, but no row for the closed typo key.
    const second = await file();
    await matchRecord(pool, engine, settings, { side: 'missing', id: second, version: 1 });
    expect(await keysOf(second)).toEqual(carried.filter((key) => key !== typo));

    // Its carriers gone (as edits would take them), the key stays closed: it is left out as before.
    await pool.query('DELETE FROM match_key WHERE key = ANY($1::text[]) AND record_id <> ALL($2::uuid[])', [[typo, name], [first, second]]);
    const holder = new TooCommonKeys();
    await warmTooCommonKeys(pool, holder);
    expect([typo, name, place].map((key) => holder.has(key))).toEqual([true, true, false]);
    const third = await file();
    await matchRecord(pool, engine, settings, { side: 'missing', id: third, version: 1 });
    expect(await keysOf(third)).toEqual(carried.filter((key) => key !== typo));
  });

  it("are counted in a worker's keys in memory once it holds them, as the key table counts them, and closed for good there and in the database", async () => {
    const pool = db.database.pool;
    // Reports no longer looked for: the worker reads their key rows alone (live-keys.ts, build).
    await carriers('ds:zzs:UP', keyReach * keyLimit('ds:zzs:UP') + 1, false);
    await carriers('ds:zzt:UP', keyReach * keyLimit('ds:zzt:UP'), false);
    await carriers('n:zzs', keyReach * keyLimit('n:zzs') + 1, false);
    const live = liveKeysOf(pool);
    await live.build(pool, createEngine());
    expect(live.ready).toBe(true);

    const { rows } = await pool.query<{ key: string; n: number }>(
      `SELECT key, count(*)::int AS n FROM match_key WHERE side = 'missing' AND key NOT IN (SELECT key FROM match_closed_key) GROUP BY key`,
    );
    const counted = rows.filter((row) => keyTooCommon(row.key, row.n)).map((row) => row.key).sort();
    expect(counted).toEqual(['ds:zzs:UP', 'n:zzs']);
    expect(live.index.tooCommonKeys().sort()).toEqual(counted);

    // A row no match job wrote (so no worker holds it) tips a key over in the table alone: counted in
    // memory, the key stays open.
    await carriers('ds:zzt:UP', 1);
    expect(await warmKeyCounts(pool)).toMatchObject({ countedIn: 'memory' });
    const closed = (await pool.query<{ key: string }>('SELECT key FROM match_closed_key')).rows.map((row) => row.key);
    expect(['ds:zzs:UP', 'ds:zzt:UP', 'n:zzs'].filter((key) => closed.includes(key))).toEqual(['ds:zzs:UP', 'n:zzs']);
    expect(['ds:zzs:UP', 'ds:zzt:UP', 'n:zzs'].map((key) => live.index.isClosed(key))).toEqual([true, false, true]);
    expect(live.index.tooCommonKeys()).toEqual([]);
  });
});
