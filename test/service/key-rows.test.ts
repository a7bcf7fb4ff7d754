// Workers that write no key rows (MATCH_KEY_ROWS=off: src/matching/key-rows.ts) match as the others
// do: the same pairs and probabilities as `milap link`, other processes learn their records' keys from
// the subject rows, and a worker that writes key rows (and may search them) first makes the key table
// whole, and refuses to while a worker that writes none is running.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { generateWorld } from '../../fixtures/synth/world.ts';
import { rankedBestOf } from '../../matchers/blocking.ts';
import { loadConfig, ConfigError } from '../../src/config.ts';
import { WorkerMetrics } from '../../src/jobs/metrics.ts';
import { startWorkers } from '../../src/jobs/workers.ts';
import { createEngine, withKeys, type Subject } from '../../src/matching/engine.ts';
import { ensureKeyRows, KeyRowsOffRunning } from '../../src/matching/key-rows.ts';
import { LiveKeys, liveKeysOf, liveQueryOf } from '../../src/matching/live-keys.ts';
import { matchRecords } from '../../src/matching/match-job.ts';
import { openRun, queueRun } from '../../src/matching/rematch.ts';
import { candidatePartners } from '../../src/matching/store.ts';
import type { ChildRecord } from '../../src/records/sides.ts';
import { useTestApp } from '../helpers/app.ts';
import { drained, expectPairsOfLink } from '../helpers/link-parity.ts';
import { onPostgres } from '../helpers/database.ts';

const t = useTestApp();
const settings = { floor: 0.001, topK: 10, keyRows: false };

/** Every stored record of a side, prepared with its keys. */
async function subjectsOf(side: 'missing' | 'found'): Promise<Subject[]> {
  const engine = createEngine();
  const { rows } = await t.db.database.pool.query(`SELECT id, version, record, places FROM ${side === 'missing' ? 'missing_report' : 'found_child'} ORDER BY id`);
  return rows.map((row) => withKeys(engine.prepare(side, row.id, row.version, row.record as ChildRecord, [], row.places)));
}

const count = async (sql: string) => Number((await t.db.database.pool.query(sql)).rows[0].n);

describe('workers that write no key rows', () => {
  it('are refused without the keys in memory, naming the setting', () => {
    expect(() => loadConfig({ MATCH_KEY_ROWS: 'off' })).toThrow(ConfigError);
    expect(() => loadConfig({ MATCH_KEY_ROWS: 'off' })).toThrow(/MATCH_KEY_ROWS: off only with MATCH_KEYS_IN_MEMORY=on/);
    expect(loadConfig({ MATCH_KEY_ROWS: 'off', MATCH_KEYS_IN_MEMORY: 'on' }).MATCH_KEY_ROWS).toBe('off');
  });

  it('give the pairs and probabilities of milap link, and other processes learn their keys from the subject rows', async () => {
    const pool = t.db.database.pool;
    const world = generateWorld({ missing: 60, found: 25, seed: 12 });
    for (const report of world.missing) await t.file('/api/v1/missing-reports', report);
    for (const child of world.found.slice(0, 15)) await t.file('/api/v1/found-children', child);
    await startWorkers(t.db.boss, t.db.database, pino({ level: 'silent' }), new WorkerMetrics(), { concurrency: 2, ...settings, keysInMemory: true });
    await drained(pool);
    expect(liveKeysOf(pool).ready).toBe(true);
    // Another process, started now, learns from the subject rows the records matched after it.
    const other = new LiveKeys();
    await other.build(pool, createEngine());
    for (const child of world.found.slice(15)) await t.file('/api/v1/found-children', child);
    await drained(pool);
    expect(await other.catchUp(pool)).toBeGreaterThanOrEqual(10);
    // Term frequencies settle only when every record is in: one re-match of everything, as after a load.
    const engine = createEngine();
    await queueRun(pool, t.db.boss, engine.modelVersion, await openRun(pool, engine.modelVersion, true), () => {});
    await drained(pool);

    expect(await count('SELECT count(*) AS n FROM match_key')).toBe(0);
    expect(await count('SELECT count(*) AS n FROM match_subject WHERE keys IS NULL')).toBe(0);
    await expectPairsOfLink(pool, world);

    // Reports closed: no longer looked for, their keys still counted. A process started after reads
    // them from their subject rows, as every other record's.
    const closed = (await pool.query(`UPDATE missing_report SET status = 'closed', version = version + 1 WHERE ref = ANY($1::text[]) RETURNING id, version`, [world.missing.slice(0, 8).map((r) => r.ref)])).rows;
    await matchRecords(pool, createEngine(), settings, closed.map((row) => ({ side: 'missing' as const, id: row.id, version: row.version })));
    await other.catchUp(pool);
    const later = new LiveKeys();
    await later.build(pool, createEngine());
    const workers = liveKeysOf(pool).index;
    expect(later.index.size).toEqual(workers.size);
    expect(other.index.size).toEqual(workers.size);
    for (const child of await subjectsOf('found')) {
      const ids = (index: typeof workers) => index.partnersOfChild(liveQueryOf(child), rankedBestOf(child.prepared)).reports.map((hit) => hit.id).sort();
      expect(ids(later.index), child.id).toEqual(ids(workers));
      expect(ids(other.index), child.id).toEqual(ids(workers));
    }
  }, 300_000);

  it('leave a worker that writes key rows to write them all before it searches them', async () => {
    const pool = t.db.database.pool;
    // The workers above, which write none, still run: on a server, one that writes them refuses to start.
    if (onPostgres) {
      await expect(ensureKeyRows(t.db.database)).rejects.toBeInstanceOf(KeyRowsOffRunning);
      expect(await count('SELECT count(*) AS n FROM match_key')).toBe(0);
    }
    // Once they stop (their lock let go with the stop), two processes that write key rows start together:
    // one writes the rows, the other, after it, finds nothing left.
    t.db.boss.emit('stopped');
    while (onPostgres && (await count(`SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND mode = 'ShareLock'`))) await new Promise((resolve) => setTimeout(resolve, 50));
    const subjects = await count('SELECT count(*) AS n FROM match_subject');
    expect((await Promise.all([ensureKeyRows(t.db.database), ensureKeyRows(t.db.database)])).sort((a, b) => a - b)).toEqual([0, subjects]);
    expect(await count('SELECT count(*) AS n FROM match_subject WHERE keys IS NOT NULL')).toBe(0);
    // Each record's rows are the keys its job derives, and the database's search admits what the keys in memory admit.
    const workers = liveKeysOf(pool).index;
    let admitted = 0;
    for (const side of ['missing', 'found'] as const) {
      for (const subject of await subjectsOf(side)) {
        const { rows } = await pool.query<{ key: string }>('SELECT key FROM match_key WHERE side = $1 AND record_id = $2 ORDER BY key', [side, subject.id]);
        expect(rows.map((row) => row.key), subject.id).toEqual([...new Set(subject.keys)].sort());
        if (side === 'missing') continue;
        const query = { id: subject.id, keys: subject.keys, narrowing: subject.narrowing, photoNear: [], rankedBest: rankedBestOf(subject.prepared) };
        const fromTable = (await candidatePartners(pool, 'found', [query])).filter((p) => p.links.some((link) => link.admitted)).map((p) => p.id).sort();
        expect(fromTable, subject.id).toEqual(workers.partnersOfChild(liveQueryOf(subject), rankedBestOf(subject.prepared)).reports.map((hit) => hit.id).sort());
        admitted += fromTable.length;
      }
    }
    expect(admitted).toBeGreaterThan(20);
    // Nothing left to write: the next start finds the table whole.
    expect(await ensureKeyRows(t.db.database)).toBe(0);
  }, 300_000);
});
