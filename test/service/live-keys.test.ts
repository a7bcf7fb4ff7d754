// A worker's keys in memory (src/matching/live-keys.ts) admit exactly the partners the database's
// search admits, on both sides and among duplicates, with the same rank floors; and a worker learns
// the records another process matched before its next search.
import { describe, expect, it } from 'vitest';
import { generateWorld } from '../../fixtures/synth/world.ts';
import { rankedBestOf } from '../../matchers/blocking.ts';
import type { MissingReport } from '../../matchers/record.ts';
import { createEngine, type Subject } from '../../src/matching/engine.ts';
import { LiveKeys, liveKeysOf, liveQueryOf as queryOf } from '../../src/matching/live-keys.ts';
import type { LiveHit } from '../../matchers/live-index.ts';
import { matchRecords, warmKeyCounts } from '../../src/matching/match-job.ts';
import { candidatePartners } from '../../src/matching/store.ts';
import type { ChildRecord } from '../../src/records/sides.ts';
import { useTestApp } from '../helpers/app.ts';

const t = useTestApp();
const settings = { floor: 0.001, topK: 10 };
/** The ids of the records a search admitted, sorted. */
const idsOf = (hits: readonly LiveHit[]) => hits.map((hit) => hit.id).sort();

// Girls reported from Bihar with invented names, none alike, of one age: their place keys are over
// their limits, so a girl found there is ranked among them (as in ranked-admission.test.ts).
const syllables = ['ka', 'mi', 'ro', 'tu', 'ne', 'sa', 'vi', 'lo', 'pu', 'da', 'ji', 'ho'];
const nameOf = (i: number) => `${syllables[i % 12]}${syllables[Math.floor(i / 12) % 12]}${syllables[Math.floor(i / 144) % 12]}${syllables[(i * 7 + 3) % 12]}ya`;
const girl = (i: number): MissingReport => ({
  ref: `FIR-BR-${i}/2024`, name: nameOf(i), sex: 'female', birthDate: `2014-0${(i % 9) + 1}-10`, missingSince: i % 5 ? '2024-01-15' : '2024-05-10',
  home: { district: i % 3 ? 'Patna' : 'Gaya', state: 'Bihar' }, lastSeen: { district: i % 2 ? 'Muzaffarpur' : 'Bhagalpur', state: 'Bihar' }, policeStation: 'Patna Town PS',
}) as MissingReport;

async function fileAll(url: string, records: readonly object[]): Promise<string[]> {
  const ids: string[] = [];
  for (const record of records) ids.push(await t.file(url, record));
  return ids;
}

async function matchAll(side: 'missing' | 'found', ids: readonly string[]) {
  const engine = createEngine();
  for (let i = 0; i < ids.length; i += 32) await matchRecords(t.db.database.pool, engine, settings, ids.slice(i, i + 32).map((id) => ({ side, id, version: 1 })));
}

/** Every stored record of a side, prepared. */
async function subjectsOf(side: 'missing' | 'found'): Promise<Subject[]> {
  const engine = createEngine();
  const { rows } = await t.db.database.pool.query(`SELECT id, version, record, places FROM ${side === 'missing' ? 'missing_report' : 'found_child'} ORDER BY id`);
  return rows.map((row) => engine.prepare(side, row.id, row.version, row.record as ChildRecord, [], row.places));
}

describe("a worker's keys in memory", () => {
  it("admit the partners the database's search admits, and learn what another process matched", async () => {
    // A key closed for good (migrations/020), as the workers read it: the match jobs write no row for it
    // and search without it, and the keys in memory admit nobody by it. Two thirds of the Bihar girls
    // below are from Patna, over its limit: the nameless girls found there were ranked among them by it.
    const closedKey = 'h:BR-patna:female';
    await t.db.database.pool.query('INSERT INTO match_closed_key (key) VALUES ($1)', [closedKey]);
    await warmKeyCounts(t.db.database.pool);
    const world = generateWorld({ missing: 700, found: 250, seed: 21 });
    const reports = await fileAll('/api/v1/missing-reports', [...world.missing, ...Array.from({ length: 160 }, (_, i) => girl(i))]);
    const children = await fileAll('/api/v1/found-children', [
      ...world.found,
      ...['Muzaffarpur', 'Bhagalpur', 'Patna'].map((district, i) => ({
        ref: `CCI-BR-${i}`, name: null, sex: 'female', apparentAgeYears: 10, foundOn: '2024-06-01',
        foundAt: { district, state: 'Bihar' }, statedHome: { district: 'Patna', state: 'Bihar' }, institution: 'Shelter, Bihar',
      })),
    ]);
    // Some reports closed: they no longer pair, but still count toward a key being too common.
    await t.db.database.pool.query(`UPDATE missing_report SET status = 'closed', version = version + 1 WHERE id = ANY($1::uuid[])`, [reports.slice(0, 40)]);
    await matchAll('missing', reports.slice(40));
    const engine = createEngine();
    for (let i = 0; i < 40; i += 20) await matchRecords(t.db.database.pool, engine, settings, reports.slice(i, i + 20).map((id) => ({ side: 'missing' as const, id, version: 2 })));
    await matchAll('found', children);
    expect(liveKeysOf(t.db.database.pool).ready).toBe(false); // all of the above searched the database

    // A cache with room for 200 records: the rest are prepared for their keys alone (warm.ts).
    const live = new LiveKeys();
    const built = await live.build(t.db.database.pool, createEngine(undefined, 400), { chunk: 150 });
    expect(built).toMatchObject({ records: 200, stoppedBy: 'cache' });
    expect(live.index.size).toMatchObject({ missing: reports.length, found: children.length });
    expect(live.index.isClosed(closedKey)).toBe(true);
    expect((await t.db.database.pool.query('SELECT count(*)::int AS n FROM match_key WHERE key = $1', [closedKey])).rows[0].n).toBe(0);
    const pool = t.db.database.pool;
    const admitted = async (side: 'missing' | 'found', subject: Subject) =>
      (await candidatePartners(pool, side, [{ id: subject.id, keys: subject.keys.filter((key) => key !== closedKey), narrowing: subject.narrowing, photoNear: [], rankedBest: rankedBestOf(subject.prepared) }]))
        .filter((partner) => partner.links.some((link) => link.admitted)).map((partner) => partner.id).sort();

    let ranked = 0;
    let floored = 0;
    for (const child of await subjectsOf('found')) {
      const { reports: found, floor } = live.index.partnersOfChild(queryOf(child), rankedBestOf(child.prepared));
      expect(idsOf(found), child.id).toEqual(await admitted('found', child));
      const saved = (await pool.query('SELECT floor FROM match_rank_floor WHERE record_id = $1', [child.id])).rows[0];
      expect(floor).toBe(saved?.floor ?? 0);
      if (floor > 0) floored++;
      if (found.length) ranked++;
    }
    expect(floored).toBeGreaterThan(0); // some children were ranked among more reports than their best
    const closed = new Set(reports.slice(0, 40));
    let reportsWithPartners = 0;
    for (const report of await subjectsOf('missing')) {
      if (closed.has(report.id)) continue;
      const found = idsOf(live.index.partnersOfReport(queryOf(report)));
      expect(found, report.id).toEqual(await admitted('missing', report));
      if (found.length) reportsWithPartners++;
    }
    expect(reportsWithPartners).toBeGreaterThan(300);
    expect(ranked).toBeGreaterThan(100);

    // Another process matches new records: this one learns them before its next search.
    const other = new LiveKeys();
    expect(await other.build(pool, createEngine())).toMatchObject({ records: reports.length - 40 + children.length, stoppedBy: null });
    const more = generateWorld({ missing: 60, found: 30, seed: 22 });
    const newReports = await fileAll('/api/v1/missing-reports', more.missing.map((r) => ({ ...r, ref: `NEW-${r.ref}` })));
    const newChildren = await fileAll('/api/v1/found-children', more.found.map((c) => ({ ...c, ref: `NEW-${c.ref}` })));
    await matchAll('missing', newReports);
    await matchAll('found', newChildren);
    const before = await Promise.all((await subjectsOf('found')).map((child) => live.index.partnersOfChild(queryOf(child), rankedBestOf(child.prepared)).reports.length));
    expect(await live.catchUp(pool)).toBeGreaterThanOrEqual(newReports.length + newChildren.length);
    await other.catchUp(pool);
    let grew = 0;
    for (const [i, child] of (await subjectsOf('found')).entries()) {
      const expected = await admitted('found', child);
      expect(idsOf(live.index.partnersOfChild(queryOf(child), rankedBestOf(child.prepared)).reports)).toEqual(expected);
      expect(idsOf(other.index.partnersOfChild(queryOf(child), rankedBestOf(child.prepared)).reports)).toEqual(expected);
      if (expected.length > before[i]!) grew++;
    }
    expect(grew).toBeGreaterThan(10);
    expect(other.index.size).toEqual(live.index.size);
  }, 300_000);

  // A transaction held open beside the matching needs a second connection: a server's.
  it.skipIf(!process.env.DATABASE_URL)('read a transaction that commits after a read once it commits, and no change twice', async () => {
    const pool = t.db.database.pool;
    const live = new LiveKeys();
    await live.build(pool, createEngine());
    const [report, other] = await fileAll('/api/v1/missing-reports', generateWorld({ missing: 2, found: 0, seed: 23 }).missing.map((r) => ({ ...r, ref: `LATE-${r.ref}` })));
    const slow = await pool.connect();
    try {
      // A match of `report` still open (its subject row written, not committed) while `other` is matched and committed.
      await slow.query('BEGIN');
      await matchRecords(pool, createEngine(), settings, [{ side: 'missing', id: report!, version: 1 }]);
      await slow.query(`UPDATE match_subject SET changed_xid = pg_current_xact_id() WHERE side = 'missing' AND record_id = $1`, [report]);
      await matchRecords(pool, createEngine(), settings, [{ side: 'missing', id: other!, version: 1 }]);
      expect(await live.catchUp(pool)).toBe(2); // both matches; the open transaction's row not yet
      expect(await live.catchUp(pool)).toBe(0);
      await slow.query('COMMIT');
      expect(await live.catchUp(pool)).toBe(1); // the late one, once it commits
      expect(await live.catchUp(pool)).toBe(0);
    } finally {
      slow.release();
    }
  }, 120_000);

  it('read a record another process matched again only when that changed it: its version, or its rank floor', async () => {
    const pool = t.db.database.pool;
    const [report] = await fileAll('/api/v1/missing-reports', [{ ...girl(170), ref: 'AGAIN-1' }]);
    const [child] = await fileAll('/api/v1/found-children', [{
      ref: 'AGAIN-CCI', name: null, sex: 'female', apparentAgeYears: 10, foundOn: '2024-06-01',
      foundAt: { district: 'Patna', state: 'Bihar' }, institution: 'Shelter, Bihar',
    }]);
    const jobs = [{ side: 'missing' as const, id: report!, version: 1 }, { side: 'found' as const, id: child!, version: 1 }];
    await matchRecords(pool, createEngine(), settings, jobs);
    const watcher = new LiveKeys();
    await watcher.build(pool, createEngine());
    expect(await watcher.catchUp(pool)).toBe(0);
    // Matched again as they were (a re-match, a photo's job): nothing for another process to read.
    await matchRecords(pool, createEngine(), settings, jobs);
    expect(await watcher.catchUp(pool)).toBe(0);
    // An edit: the report's next version, other keys.
    await pool.query(`UPDATE missing_report SET version = 2, record = jsonb_set(record, '{name}', '"Tusarika"') WHERE id = $1`, [report]);
    await matchRecords(pool, createEngine(), settings, [{ side: 'missing', id: report!, version: 2 }]);
    expect(await watcher.catchUp(pool)).toBe(1);
    expect(idsOf(watcher.index.sameSide('missing', { id: 'probe', bornFrom: NaN, bornTo: NaN, eventDay: NaN, keys: ['n:tusarik'] }))).toEqual([report]);
    // The child's keys unchanged but her rank floor not what her search now gives: read, with the floor.
    await pool.query('UPDATE match_rank_floor SET floor = floor + 1 WHERE record_id = $1', [child]);
    await matchRecords(pool, createEngine(), settings, [jobs[1]!]);
    expect(await watcher.catchUp(pool)).toBe(1);
    expect(await watcher.catchUp(pool)).toBe(0);
  }, 120_000);

  // Last: it builds this process's own keys in memory, which every later match here would search.
  it('read back no record this process matched itself, and still what another transaction matched', async () => {
    const pool = t.db.database.pool;
    const [mine, theirs] = await fileAll('/api/v1/missing-reports', generateWorld({ missing: 2, found: 0, seed: 24 }).missing.map((r) => ({ ...r, ref: `OWN-${r.ref}` })));
    const engine = createEngine();
    const here = liveKeysOf(pool);
    await here.build(pool, engine);
    const watcher = new LiveKeys();
    await watcher.build(pool, createEngine());
    // Matched here: held at once, as matched (its keys counted), and not read back.
    await matchRecords(pool, engine, settings, [{ side: 'missing', id: mine!, version: 1 }, { side: 'missing', id: theirs!, version: 1 }]);
    expect(await here.catchUp(pool)).toBe(0);
    expect(await watcher.catchUp(pool)).toBe(2);
    // Matched again by another process (its transaction wrote the subject row): read.
    await pool.query(`UPDATE match_subject SET changed_xid = pg_current_xact_id() WHERE side = 'missing' AND record_id = $1`, [theirs]);
    expect(await here.catchUp(pool)).toBe(1);
    expect(await watcher.catchUp(pool)).toBe(1);
    expect(await here.catchUp(pool)).toBe(0);
  }, 120_000);
});
