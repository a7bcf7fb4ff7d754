// The background workers of this process: the `match` queue, handled by the match job.
import type pg from 'pg';
import type { Logger } from 'pino';
import type { JobResult, PgBoss } from 'pg-boss';
import type { Database } from '../db/database.ts';
import { photoNeighbourhoodOf } from '../matching/photo-index.ts';
import { createEngine, type MatchEngine } from '../matching/engine.ts';
import { matchRecords, warmKeyCounts, type MatchSettings, type Reweigh } from '../matching/match-job.ts';
import { warnOfStaleMatches } from '../matching/rematch.ts';
import { liveKeysOf } from '../matching/live-keys.ts';
import { warmPreparedRecords } from '../matching/warm.ts';
import { readBackMatchPages } from '../matching/read-back.ts';
import { ensureKeyRows, holdKeyRowsOff } from '../matching/key-rows.ts';
import { ifFirst } from '../db/advisory-lock.ts';
import { NameKeyCounts, reweighDue, reweighEveryPair } from '../matching/store.ts';
import type { WorkerMetrics } from './metrics.ts';
import { matchQueue, recordsOfJob, reweighingJobsPending, reweighsLater, type MatchJob, type MatchJobData } from './queue.ts';

export interface WorkerOptions extends MatchSettings {
  concurrency: number;
  /** Prepared records the process keeps (config.ts, MATCH_CACHE_RECORDS); twice the records it matches among holds them all. */
  cacheRecords?: number;
  /**
   * Hold every record's keys in memory and search there (live-keys.ts; config.ts, MATCH_KEYS_IN_MEMORY).
   * Off, the default: jobs search the database's key table.
   */
  keysInMemory?: boolean;
  /**
   * Once the start has read every record, read back into the PostgreSQL server's page cache the pages
   * match jobs read at random (read-back.ts; config.ts, MATCH_READ_BACK). On unless turned off.
   */
  readBack?: boolean;
  /**
   * How many connections the sweep of every pair after a re-match of most records weighs batches on
   * at once, on a PostgreSQL server (config.ts, MATCH_SWEEP_CONNECTIONS; 2 unless given). PGlite's one
   * connection sweeps alone.
   */
  sweepConnections?: number;
  /** An engine whose records are prepared already (the pipeline bench shares its own; its cache serves the keys read into memory); without it one is made and prepared here. */
  engine?: MatchEngine;
}

/**
 * Keeps the planner's figures and the visibility map of the match tables current while jobs run. A
 * rescue drive or an import adds hundreds of thousands of keys in minutes; planned on figures from
 * before (one side thought empty) a job took seconds instead of milliseconds, and until a vacuum
 * marks the new pages all-visible, every count of a key's reports reads the table as well as its
 * index (a found child's partner search: 40 ms before, 14 ms after). Autovacuum does both, but
 * may be slow or off. Every 200 records it matches, a process looks whether the tables are due
 * (vacuumDue), and if so, one process at a time vacuums and re-analyzes the key, subject, pair and
 * duplicate tables (the refresh of competing probabilities, planned on an empty pair table, read all of it);
 * else whether a pair table or the match queue's own table alone is (churningTableDue), and vacuums that one.
 */
export class StatisticsKeeper {
  private sinceVacuum = 0;
  private sinceLook = 0;
  private running = false;

  private readonly database: Database;
  private readonly logger: Logger;

  constructor(database: Database, logger: Logger) {
    this.database = database;
    this.logger = logger;
  }

  async jobDone(): Promise<void> {
    this.sinceVacuum++;
    this.sinceLook++;
    if (this.sinceLook < 200 || this.running) return;
    this.sinceLook = 0;
    this.running = true;
    let client: pg.PoolClient | null = null;
    try {
      client = await this.database.pool.connect();
      const { rows: [tables] } = await client.query<{ subjects: number; planned: number }>(
        `SELECT coalesce((SELECT sum(n) FROM match_subject_total), 0)::float8 AS subjects, (SELECT reltuples FROM pg_class WHERE oid = 'match_subject'::regclass)::float8 AS planned`,
      );
      const all = vacuumDue(this.sinceVacuum, tables!.subjects, tables!.planned);
      const churning = await dueChurningTables(client);
      const due = all ? ['match_key', 'match_subject', ...new Set([...pairTables, ...churning])] : churning;
      if (!due.length) return;
      await ifFirst(client, 'milap:analyze-match-tables', async () => {
        await client!.query(`VACUUM (ANALYZE) ${due.join(', ')}`);
        if (all) this.sinceVacuum = 0;
      });
    } catch (error) {
      this.logger.warn({ err: error }, 'could not vacuum and re-analyze the match tables');
    } finally {
      // Released even when the connection failed, and the keeper free to look again.
      client?.release();
      this.running = false;
    }
  }
}

/**
 * Whether the match tables are due a vacuum and new figures: the planner's count of match subjects
 * (`planned`, -1 never counted) is off by more than a tenth of them, or this process has matched a
 * tenth as many records as there are (at least 2,000) since it last vacuumed them or started. In
 * proportion to the tables, as autovacuum's own rule is: every 2,000 records whatever the size, a
 * national database of 14 GB was vacuumed every few seconds at the rate asked for (500 records a
 * second), and at 130,000 records the vacuum was half of the database's work while records were
 * written (4.2 s of 8.3 s of its CPU for 1,500 records).
 */
export const vacuumDue = (sinceVacuum: number, subjects: number, planned: number): boolean =>
  Math.abs(subjects - Math.max(0, planned)) > 50 + subjects / 10 || sinceVacuum >= Math.max(2000, subjects / 10);

/** The tables of pairs, whose rows change with every match: a refresh of competing probabilities rewrites each pair it moves. */
const pairTables = ['candidate_pair', 'duplicate_pair'];

/**
 * The tables of marks that pairs are due to be weighed (migrations/021, 024 and 025), emptied by each
 * sweep: with autovacuum off, the sweepers' look whether any mark is left read every dead one, 21 ms
 * a look at 100,000 x 30,000 after a re-match whose sweep had deleted 123,000 marks.
 */
const markTables = ['pair_reweigh_due', 'pair_reweigh_every'];

/** What the statistics system counts of a table's rows, live and dead, and the planner's count (`planned`, -1 never counted). */
export interface TableFigures {
  live: number;
  dead: number;
  planned: number;
}

/**
 * Whether a table whose rows churn (a pair table, a table of marks, or the match queue's) is due a vacuum and new
 * figures of its own, as autovacuum's own rule has it: more dead rows than a fifth of the live ones,
 * or the planner's count off by more than a tenth. The pair table grows and churns faster than the
 * subjects (vacuumDue), and with autovacuum off, planned on a near-empty pair table with as many dead
 * versions as live rows behind it, the refresh read the whole table for every record: at 100,000 x
 * 30,000, after 7,000 found children filed in short runs of the pipeline bench, a found child's
 * match job took 490 ms instead of 15.
 */
export const churningTableDue = ({ live, dead, planned }: TableFigures): boolean => dead > 50 + live / 5 || Math.abs(live - Math.max(0, planned)) > 50 + live / 10;

/**
 * The tables due a vacuum of their own (churningTableDue), by the statistics system's counts and the
 * planner's: the pair tables, the tables of marks, and the table pg-boss keeps the match queue's jobs in. A job's row is
 * rewritten as it is fetched and again as it is done, and pg-boss finds the jobs it marks done, and
 * the sweepers the re-match's jobs still running (reweighingJobsPending), by an index of their state
 * that keeps an entry for each of those rows until a vacuum: with autovacuum off, marking 16 jobs
 * done took 49 ms a time in a national re-match (10,166 times, 498 s of the database's 2,378); in
 * a table of 160,000 jobs, 10 ms once 64,000 were done, and 2–3 ms with a vacuum after every 32,000.
 */
async function dueChurningTables(client: pg.PoolClient): Promise<string[]> {
  const { rows } = await client.query<TableFigures & { table: string }>(
    `SELECT c.oid::regclass::text AS table, coalesce(s.n_live_tup, 0)::float8 AS live, coalesce(s.n_dead_tup, 0)::float8 AS dead, c.reltuples::float8 AS planned
       FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
      WHERE c.oid = ANY($1::text[]::regclass[]) OR c.oid = (SELECT to_regclass(format('pgboss.%I', table_name)) FROM pgboss.queue WHERE name = $2)
      ORDER BY 1`,
    [[...pairTables, ...markTables], matchQueue],
  );
  return rows.filter(churningTableDue).map((table) => table.table);
}

/** The advisory lock a sweep of what re-matches left due holds (reweighSweeper; ifFirst). */
export const reweighLock = 'milap:reweigh-due';

/**
 * Weighs again the competing probabilities a re-match left due (store.ts, reweighDue) once no job of
 * it waits or runs: called after a worker's fetch of a re-match's jobs, with their ids (`finishing`:
 * done with, but perhaps not yet marked done by pg-boss), and every minute (for a sweep a crash
 * stopped, or jobs finished by a process since gone). One sweep at a time in a process, and one
 * process at a time; a sweep that stops part-way leaves the rest due, for the next.
 *
 * A process looks whether the re-match's jobs are done at most once every `lookEveryMs`: a call
 * sooner is answered by one look when that time is up, for the jobs of every call meanwhile (and
 * so is a call while a look or sweep runs). Looking after every fetch, at national scale a full
 * re-match's 160,000 jobs asked 7,932 times, 32.7 ms each (the queue's table read past every job
 * done since its last vacuum): 260 s of the database's time in a re-match of 47 min.
 */
export function reweighSweeper(database: Database, logger: Logger, kept: MatchSettings & Pick<WorkerOptions, 'sweepConnections'>, options: { lookEveryMs?: number } = {}): ReweighSweeper {
  const lookEveryMs = options.lookEveryMs ?? 5000;
  let running = false;
  let lastLook = -Infinity;
  /** The jobs finishing of the calls waiting for the next look, and its timer. */
  let waiting: Set<string> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const look = async (finishing: readonly string[]) => {
    running = true;
    lastLook = performance.now();
    try {
      // Read before looking at the jobs: a job that marked before then had committed, if none runs now,
      // and so had the jobs queued with a mark that every pair is due (migrations/025).
      const { rows: [due] } = await database.pool.query<{ any: boolean; every: string[]; now: Date }>(
        'SELECT EXISTS (SELECT 1 FROM pair_reweigh_due) AS any, ARRAY(SELECT mark FROM pair_reweigh_every) AS every, clock_timestamp() AS now');
      if (!due || (!due.any && !due.every.length) || (await reweighingJobsPending(database.pool, finishing))) return;
      // One client for the lock and the sweep: on PGlite the pool is that one connection.
      const client = await database.pool.connect();
      try {
        await ifFirst(client, reweighLock, async () => {
          const seconds = (since: number) => Number(((performance.now() - since) / 1000).toFixed(1));
          if (due.every.length) {
            const started = performance.now();
            // Beside the lock's client, on the pool's other connections (PGlite has no other).
            const parallel = database.kind === 'postgres' ? { pool: database.pool, connections: kept.sweepConnections ?? 2 } : undefined;
            const { children, pairs, dropped, duplicatesDropped } = await reweighEveryPair(client, due.every, kept, { parallel });
            logger.info({ children, pairs, dropped, duplicatesDropped, seconds: seconds(started) }, "weighed again the competing probabilities of every pair, as a re-match of most records leaves them, each record's best pairs and possible duplicates kept");
          }
          const started = performance.now();
          const { records, pairs } = await reweighDue(client, { settledAt: due.now });
          if (records) logger.info({ records, pairs, seconds: seconds(started) }, "weighed again the competing probabilities of the records a re-match's jobs moved");
        });
      } finally {
        client.release();
      }
    } catch (error) {
      logger.warn({ err: error }, 'could not weigh again the competing probabilities a re-match left due; a later sweep will');
    } finally {
      running = false;
      if (waiting) later(); // calls while this ran
    }
  };
  /** The next look, for the calls waiting, when the last is `lookEveryMs` past and done. */
  const later = () => {
    if (timer || stopped) return;
    timer = setTimeout(() => {
      timer = null;
      if (running) return; // it looks again for them when done
      const finishing = [...(waiting ?? [])];
      waiting = null;
      void look(finishing);
    }, Math.max(0, lastLook + lookEveryMs - performance.now()));
    timer.unref();
  };
  const sweep = async (finishing: readonly string[] = []) => {
    if (stopped) return;
    if (!running && !timer && performance.now() - lastLook >= lookEveryMs) return look(finishing);
    waiting ??= new Set();
    for (const id of finishing) waiting.add(id);
    if (!running) later();
  };
  sweep.stop = () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    timer = null;
  };
  return sweep;
}

/** When a job's records have the competing probabilities they move weighed (match-job.ts, Reweigh). */
const reweighOf = (data: MatchJobData): Reweigh => {
  const later = reweighsLater(data);
  return later === 'every' ? 'every' : later ? 'later' : 'now';
};

/** A sweeper: call it when a re-match's jobs may be done; stop it when the workers stop. */
export interface ReweighSweeper {
  (finishing?: readonly string[]): Promise<void>;
  stop(): void;
}

/** Match jobs a worker fetches at once; their records are matched together. */
const jobsPerFetch = 16;
/** Most records matched in one transaction (a fetch of grouped filings holds up to 16 × 8). */
const recordsPerPass = 32;

export async function startWorkers(boss: PgBoss, database: Database, logger: Logger, metrics: WorkerMetrics, options: WorkerOptions): Promise<void> {
  // Where no key rows are written (key-rows.ts), every search is made in the keys in memory: the key
  // table is never searched, and no other process that searches it may start meanwhile. Elsewhere the
  // key table is made whole first, if such a process left records out of it.
  const keyRows = options.keyRows !== false;
  if (!keyRows) {
    if (!options.keysInMemory) throw new Error('a worker that writes no key rows (MATCH_KEY_ROWS=off) searches the keys in memory alone: set MATCH_KEYS_IN_MEMORY=on');
    const release = await holdKeyRowsOff(database);
    boss.once('stopped', () => void release());
  } else {
    const started = performance.now();
    const rebuilt = await ensureKeyRows(database);
    if (rebuilt) logger.info({ records: rebuilt, seconds: Number(((performance.now() - started) / 1000).toFixed(1)) }, 'wrote the key rows of the records whose keys were kept on their subject rows (MATCH_KEY_ROWS=off)');
  }
  const engine = options.engine ?? createEngine(undefined, options.cacheRecords);
  metrics.watchPrepared(() => engine.cacheSize);
  metrics.watchKeys(() => {
    const live = liveKeysOf(database.pool);
    return live.ready ? live.index.size.missing + live.index.size.found : 0;
  });
  const statistics = new StatisticsKeeper(database, logger);
  // The keeper's vacuum runs beside the jobs, not in their way: the jobs a worker fetched were marked
  // done only once it finished, seconds for a national pair table (7 s) and minutes for the key
  // table, the worker idle meanwhile. One PGlite connection cannot vacuum inside another job's
  // transaction: there it runs in its turn.
  const keepStatistics = database.kind === 'pglite' ? () => statistics.jobDone() : () => void statistics.jobDone();
  const sweep = reweighSweeper(database, logger, options);
  const sweeping = setInterval(() => void sweep(), 60_000).unref();
  boss.once('stopped', () => {
    clearInterval(sweeping);
    sweep.stop();
  });
  // One PGlite connection can't run jobs side by side; a server can.
  const localConcurrency = database.kind === 'pglite' ? 1 : options.concurrency;
  // The photo index is read before the first job needs it (a million hashes take seconds).
  const warming = photoNeighbourhoodOf(database.pool).warm(database.pool).catch((error: unknown) => {
    logger.warn({ err: error }, 'photo index not read at start; the first match job with a photo reads it');
  });
  // So are the counts of the common name keys and the keys too common to admit a pair, again every
  // half hour (a count is reused for an hour, or until the records have grown by 1%: NameKeyCounts);
  // from the keys in memory once they are read (warmKeyCounts).
  const countNames = (unlessReadWithinMs = 0) => warmKeyCounts(database.pool, unlessReadWithinMs, keyRows).catch((error: unknown) => {
    logger.warn({ err: error }, 'key counts not read ahead; match jobs read what they need');
  });
  const counting = countNames(60_000); // not again if this process has just read them (a second set of workers)
  const recount = setInterval(() => void countNames(), NameKeyCounts.maxAgeMs / 2).unref();
  boss.once('stopped', () => clearInterval(recount));
  // Records matched by another model keep its scores until they are matched again, and found children
  // matched before ranked admission have no rank floor: said at start, so that a new model or this
  // code deployed without its re-match does not go unnoticed.
  const checking = warnOfStaleMatches(database.pool, engine.modelVersion, logger);
  // And the records still looked for, prepared (warm.ts), with every record's keys in memory when
  // asked (live-keys.ts): until then a job reads and prepares its partners itself, and searches the database.
  const started = performance.now();
  const warm = options.keysInMemory
    ? liveKeysOf(database.pool).build(database.pool, engine)
    : options.engine ? Promise.resolve(null) : warmPreparedRecords(database.pool, engine).then((warmed) => ({ ...warmed, keys: null }));
  const preparing = warm.then(
    (built) => {
      if (!built) return; // prepared already (the bench's engine), or this process's keys were read already (a second set of workers)
      const { records, stoppedBy, keys } = built;
      const seconds = Number(((performance.now() - started) / 1000).toFixed(1));
      // Of which the full collection of the warm-up's garbage at its end (collect.ts).
      const collectSeconds = Number((built.collectedInMs / 1000).toFixed(1));
      const what = keys === null ? 'records still looked for prepared for matching' : "records still looked for prepared for matching, and every record's keys read into memory";
      if (!stoppedBy) logger.info({ records, keys, seconds, collectSeconds }, what);
      else if (stoppedBy === 'cache') logger.warn({ records, keys, seconds, collectSeconds, cacheRecords: options.cacheRecords }, 'the cache of prepared records is full before every record still looked for is in it: set MATCH_CACHE_RECORDS to twice their number');
      else logger.warn({ records, keys, seconds, collectSeconds }, "Node's heap is half full before every record still looked for is prepared: raise it with NODE_OPTIONS=--max-old-space-size (README, MATCH_CACHE_RECORDS)");
    },
    (error: unknown) =>
      keyRows
        ? logger.warn({ err: error }, 'records not prepared ahead (nor keys read into memory, if asked); match jobs prepare their partners themselves and search the database')
        : logger.error({ err: error }, "every record's keys not read into memory: this process writes no key rows (MATCH_KEY_ROWS=off), so it takes no match job; restart it"),
  );
  // Then the pages match jobs read at random, which that reading pushed out of the server's page
  // cache, read back (read-back.ts), while jobs run.
  if (database.kind === 'postgres' && options.readBack !== false) {
    void warm.then(
      async (built) => {
        if (!built) return; // nothing read at this start (the bench's engine, or a second set of workers)
        const readBack = await readBackMatchPages(database, { keyRows });
        if (readBack.read) logger.info({ megabytes: readBack.megabytes, seconds: readBack.seconds }, "read back into the database server's page cache the pages match jobs read at random, which the start's reading of every record pushed out");
        else logger.info({ reason: readBack.reason }, 'pages match jobs read at random not read back after the start: they are read as jobs need them');
      },
      () => {}, // said above
    );
  }
  if (database.kind === 'pglite') await Promise.all([warming, counting, checking, preparing]); // one connection: let them finish before jobs start

  /** Matches records together, a pass of at most recordsPerPass at a time; throws if any pass fails. */
  const matchTogether = async (records: MatchJob[], reweigh: Reweigh) => {
    for (let i = 0; i < records.length; i += recordsPerPass) {
      const pass = records.slice(i, i + recordsPerPass);
      const started = performance.now();
      try {
        const outcomes = await matchRecords(database.pool, engine, options, pass, reweigh);
        // Each record's latency is its pass's: it was matched when the pass committed.
        const elapsed = performance.now() - started;
        for (const [n, record] of pass.entries()) {
          metrics.record(elapsed, true);
          await keepStatistics();
          logger.debug({ side: record.side, id: record.id, ...outcomes[n] }, 'matched');
        }
      } catch (error) {
        // A record counts as failed only when it fails on its own: records of a failed pass of
        // several are matched again one by one, and counted then.
        if (records.length === 1) metrics.record(performance.now() - started, false);
        throw error;
      }
    }
  };

  // A worker takes several jobs at a time and, while its fetches come back full, fetches again at
  // once (burstWhenBatchFull): with one job a fetch it waited a polling interval after every job,
  // which held each worker to two jobs a second whatever the job cost. The records of all the jobs
  // fetched are matched together. If that fails, each job is matched on its own, so one bad record
  // fails only its job, naming the records; its retry matches them all again (matching a record
  // twice changes nothing).
  const work = () => boss.work<MatchJobData>(
    matchQueue,
    { localConcurrency, batchSize: jobsPerFetch, burstWhenBatchFull: true, perJobResults: true, pollingIntervalSeconds: 0.5 },
    async (jobs) => {
      const all = jobs.flatMap((job) => recordsOfJob(job.data));
      // A re-match's jobs weigh later, unless fetched with a filing's or an edit's, which weigh now;
      // those of a run that weighs every pair mark nothing, unless fetched with another run's, which mark.
      const modes = new Set(jobs.map((job) => reweighOf(job.data)));
      const together: Reweigh = modes.has('now') ? 'now' : modes.has('later') ? 'later' : 'every';
      const later = together !== 'now';
      // When they are done, the weighing they left, if no other job of theirs waits or runs (not awaited:
      // pg-boss marks these done when this returns, and a sweep may take minutes).
      const done = <T>(results: T): T => {
        if (later) void sweep(jobs.map((job) => job.id));
        return results;
      };
      if (all.length > 1) {
        try {
          await matchTogether(all, together);
          return done(jobs.map((job): JobResult => ({ id: job.id, status: 'completed' })));
        } catch (error) {
          logger.warn({ jobs: jobs.length, records: all.length, err: error }, 'matching fetched records together failed; matching each on its own');
        }
      }
      const results: JobResult[] = [];
      for (const job of jobs) {
        const failed: { id: string; message: string }[] = [];
        for (const record of recordsOfJob(job.data)) {
          try {
            await matchTogether([record], reweighOf(job.data));
          } catch (error) {
            logger.warn({ job: job.id, side: record.side, id: record.id, err: error }, 'match job failed; it will be retried');
            failed.push({ id: record.id, message: error instanceof Error ? error.message : String(error) });
          }
        }
        results.push(failed.length ? { id: job.id, status: 'failed', output: { message: failed[0]!.message, failed } } : { id: job.id, status: 'completed' });
      }
      return done(results);
    },
  );
  if (keyRows) {
    await work();
    return;
  }
  // Where no key rows are written, no job is taken before every record's keys are in memory (the API
  // meanwhile files records, and their jobs wait in the queue); then the keys too common are counted
  // there (warmKeyCounts counts nothing from the key table, which lacks records).
  void warm
    .then(async () => {
      await countNames();
      await work();
    }, () => {}) // said above
    .catch((error: unknown) => logger.error({ err: error }, 'the match workers did not start'));
}
