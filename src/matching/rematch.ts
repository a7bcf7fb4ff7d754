// Re-matching after a new model version (or of everything): records are queued in chunks, in id
// order; each chunk's jobs and the run's position commit together, so a crashed run resumes where it
// stopped, and the API keeps serving meanwhile (the workers do the matching).
import type pg from 'pg';
import type { Logger } from 'pino';
import type { PgBoss } from 'pg-boss';
import { withTransaction } from '../db/database.ts';
import { groupedMatchJobs, matchQueue, onClient, type WeighLater } from '../jobs/queue.ts';
import { matcherVersion } from '../../matchers/version.ts';

export interface RematchRun {
  id: number;
  allRecords: boolean;
  positionSide: 'missing' | 'found';
  positionId: string;
  queued: number;
  /** Whether it weighs every pair once its jobs are done (weighsEveryPair), as openRun decided it; null before. */
  weighsEvery: boolean | null;
}

const runColumns = `id, all_records AS "allRecords", position_side AS "positionSide", position_id AS "positionId", queued, weighs_every AS "weighsEvery"`;
const sideOrder = [['missing', 'missing_report'], ['found', 'found_child']] as const;

/**
 * The unfinished run for this model version and scope, or a new one, with whether it weighs every
 * pair decided (weighsEveryPair): decided again each time until the run has queued a record.
 */
export async function openRun(pool: pg.Pool, modelVersion: string, allRecords: boolean): Promise<RematchRun> {
  const open = await pool.query<RematchRun>(
    `SELECT ${runColumns} FROM rematch_run WHERE finished_at IS NULL AND model_version = $1 AND all_records = $2 ORDER BY id DESC LIMIT 1`,
    [modelVersion, allRecords],
  );
  const run = open.rows[0] ?? (await pool.query<RematchRun>(
    `INSERT INTO rematch_run (model_version, all_records) VALUES ($1, $2) RETURNING ${runColumns}`,
    [modelVersion, allRecords],
  )).rows[0]!;
  // Decided again until it has queued something: from then on it goes on as it began.
  if (run.weighsEvery !== null && run.queued > 0) return run;
  const weighsEvery = await weighsEveryPair(pool, modelVersion, { ...run, weighsEvery: null });
  await pool.query('UPDATE rematch_run SET weighs_every = $2 WHERE id = $1', [run.id, weighsEvery]);
  return { ...run, weighsEvery };
}

/**
 * Records of a side the run covers ($1 true: all of them), or those never matched, matched by another model or under
 * other rules of the matchers (matchers/version.ts), or (found children still looked for) matched
 * before ranked admission, with no rank floor saved (migrations/014): a report's search ranks no such child.
 */
const selection = (table: string, side: string) => `
  FROM ${table} r LEFT JOIN match_subject s ON s.side = '${side}' AND s.record_id = r.id
 WHERE ($1 OR s.record_id IS NULL OR s.model_version <> $2 OR s.matcher_version <> ${matcherVersion}${side === 'found' ? ` OR ${unranked('s')}` : ''})`;

/** The match subject aliased `s` is a found child still looked for with no rank floor saved. */
const unranked = (s: string) => `(${s}.active AND NOT EXISTS (SELECT 1 FROM match_rank_floor f WHERE f.record_id = ${s}.record_id))`;

/**
 * Whether the run covers every record of a side: of all records, or one that weighs every pair
 * (weighsEveryPair), whose jobs weigh each pair once, from one of its records (match-job.ts): its
 * reports leave their pairs to the children's jobs, and a record its possible duplicates to theirs.
 */
const coversAll = (run: RematchRun) => run.allRecords || run.weighsEvery === true;

export async function countRemaining(pool: pg.Pool, modelVersion: string, run: RematchRun): Promise<number> {
  let total = 0;
  for (const [side, table] of sideOrder) {
    if (run.positionSide === 'found' && side === 'missing') continue;
    const from = side === run.positionSide ? run.positionId : '00000000-0000-0000-0000-000000000000';
    const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n ${selection(table, side)} AND r.id > $3`, [coversAll(run), modelVersion, from]);
    total += rows[0]!.n;
  }
  return total;
}

/**
 * Whether a run weighs every pair once its jobs are done (migrations/025) instead of its jobs marking
 * each record whose pairs they move: when it re-matches every record, or at least half of them (a
 * new model's run re-matches all), whose pairs nearly all move. Kept with the run once it has
 * queued (openRun; migrations/026), and so when it resumes.
 */
export async function weighsEveryPair(pool: pg.Pool, modelVersion: string, run: RematchRun): Promise<boolean> {
  if (run.weighsEvery !== null) return run.weighsEvery;
  if (run.allRecords) return true;
  const { rows } = await pool.query<{ n: number }>('SELECT (SELECT count(*) FROM missing_report) + (SELECT count(*) FROM found_child) AS n');
  return 2 * (await countRemaining(pool, modelVersion, run)) >= Number(rows[0]!.n);
}

/**
 * Queues the rest of the run chunk by chunk; `onChunk` gets the number queued so far by this call.
 * A run that weighs every pair (weighsEveryPair) says so with each chunk, in its transaction, and
 * queues every record (coversAll).
 */
export async function queueRun(pool: pg.Pool, boss: PgBoss, modelVersion: string, run: RematchRun, onChunk: (queued: number) => void, chunkSize = 2000): Promise<number> {
  const reweighLater: WeighLater = (await weighsEveryPair(pool, modelVersion, run)) ? 'every' : true;
  let queued = 0;
  for (const [side, table] of sideOrder) {
    if (run.positionSide === 'found' && side === 'missing') continue;
    let after = side === run.positionSide ? run.positionId : '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const { rows } = await pool.query<{ id: string; version: number }>(
        `SELECT r.id, r.version ${selection(table, side)} AND r.id > $3 ORDER BY r.id LIMIT $4`,
        [coversAll(run), modelVersion, after, chunkSize],
      );
      if (rows.length === 0) break;
      after = rows[rows.length - 1]!.id;
      await withTransaction(pool, async (tx) => {
        // Several records to a job: a worker matches the records of the jobs it fetches together. Their
        // competing probabilities are weighed once the run's jobs are done (match-job.ts, Reweigh).
        await boss.insert(matchQueue, groupedMatchJobs(side, rows, { reweighLater }).map((data) => ({ data })), { db: onClient(tx) });
        if (reweighLater === 'every') await tx.query('INSERT INTO pair_reweigh_every (run_id) VALUES ($1)', [run.id]);
        await tx.query('UPDATE rematch_run SET position_side = $2, position_id = $3, queued = queued + $4 WHERE id = $1', [run.id, side, after, rows.length]);
      });
      queued += rows.length;
      onChunk(queued);
    }
  }
  await pool.query('UPDATE rematch_run SET finished_at = clock_timestamp() WHERE id = $1', [run.id]);
  return queued;
}

/**
 * How many records were last matched with a `column` of match_subject other than `current`, and which
 * values it has there. Null when there are none.
 */
async function matchedWithOther<V extends string | number>(pool: pg.Pool, column: 'model_version' | 'matcher_version', current: V): Promise<{ records: number; versions: V[] } | null> {
  const { rows } = await pool.query<{ records: number; versions: V[] | null }>(
    `SELECT count(*)::int AS records, array_agg(DISTINCT ${column} ORDER BY ${column}) AS versions FROM match_subject WHERE ${column} <> $1`,
    [current],
  );
  const { records, versions } = rows[0]!;
  return records ? { records, versions: versions ?? [] } : null;
}

/**
 * How many records were last matched by a model other than `modelVersion`, and which: their pairs
 * keep that model's scores until they are matched again (`milap rematch`). Null when there are none.
 */
export const matchedByOtherModels = (pool: pg.Pool, modelVersion: string) => matchedWithOther(pool, 'model_version', modelVersion);

/** How many records were last matched under other rules of the matchers than these (matchers/version.ts), and which versions. Null when there are none. */
export const matchedUnderOtherRules = (pool: pg.Pool) => matchedWithOther(pool, 'matcher_version', matcherVersion);

/** How many found children still looked for were matched before ranked admission (no rank floor saved). */
export async function unrankedChildren(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM match_subject s WHERE s.side = 'found' AND ${unranked('s')}`);
  return rows[0]!.n;
}

/**
 * Warns (a match worker does this when it starts) when records were matched by another model, under
 * other rules of the matchers, or found children before ranked admission: a new model, or this code,
 * deployed without its re-match would otherwise go unnoticed, pairs scored by the old model or keyed
 * by old rules, children a new report cannot rank.
 */
export async function warnOfStaleMatches(pool: pg.Pool, modelVersion: string, logger: Logger): Promise<void> {
  try {
    const other = await matchedByOtherModels(pool, modelVersion);
    if (other) logger.warn({ modelVersion, otherVersions: other.versions, records: other.records }, 'records were matched by another model version: run `npx milap rematch` to match them with this one');
    const rules = await matchedUnderOtherRules(pool);
    if (rules) logger.warn({ matcherVersion, otherMatcherVersions: rules.versions, records: rules.records }, "records were matched under other rules of the matchers (their keys, rank floors or comparisons): run `npx milap rematch` to match them under these");
    const children = await unrankedChildren(pool);
    if (children) logger.warn({ foundChildren: children }, 'found children were matched before ranked admission and have no rank floor, so new reports are not ranked among their candidates: run `npx milap rematch` to match them again');
  } catch (error) {
    logger.warn({ err: error }, 'could not count the records matched by another model version or before ranked admission');
  }
}
